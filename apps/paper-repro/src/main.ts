#!/usr/bin/env node
// pnpm repro [experiments…] [options]: see --help. Every path ends with an exit code of
// the table in shared/exit-codes.ts.

import { DataDirError } from './data/data-dir.js';
import { exitOnCrash } from './jobs/crash.js';
import { parseArgs, USAGE } from './options.js';
import { QueueUnreachableError } from './queue/connect.js';
import { QueueUrlError } from './queue/queue-url.js';
import { repro } from './repro.js';
import { UsageError } from './shared/cli-args.js';
import { EXIT } from './shared/exit-codes.js';
import { UnusableDirError } from './storage/out-dir.js';
import { OutDirBusyError } from './storage/out-dir-lock.js';
import { ConfigurationMismatchError } from './storage/plan.js';
import { CorruptRunRecordError } from './storage/run-record.js';
import { isStorageError } from './storage/storage-error.js';

/** Errors that mean bad usage, found before training: exit 2 with their one line. */
const USAGE_ERRORS = [
  UsageError,
  ConfigurationMismatchError,
  UnusableDirError,
  OutDirBusyError,
  DataDirError,
  CorruptRunRecordError,
  QueueUrlError,
  QueueUnreachableError,
];

const argv = process.argv.slice(2);
exitOnCrash('repro');
try {
  const options = parseArgs(argv);
  if (!options) {
    console.log(USAGE);
  } else {
    // the report shows the command: without the queue's password, if its URL has one
    const shown = argv.map((arg, i) =>
      options.queue && (argv[i - 1] === '--queue' || arg.startsWith('--queue='))
        ? arg.replace(/^(--queue=)?.*$/s, `$1${options.queue.display}`)
        : arg,
    );
    const result = await repro(options, ['pnpm repro', ...shown].join(' '));
    process.exitCode = result.exitCode;
  }
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  if (USAGE_ERRORS.some((kind) => error instanceof kind)) {
    console.error(`repro: ${message}`);
    process.exitCode = EXIT.usage;
  } else if (isStorageError(error)) {
    console.error(`repro: cannot write the results: ${message}`);
    process.exitCode = EXIT.storage;
  } else {
    console.error(`repro: internal error: ${error instanceof Error ? error.stack : message}`);
    process.exitCode = EXIT.internal;
  }
}
