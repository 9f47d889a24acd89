#!/usr/bin/env node
// pnpm repro [experiments…] [options]: see --help. Every path ends with an exit code of
// the table in exit-codes.ts.
import { exitOnCrash } from './engine/crash.js';
import { DataDirError } from './engine/data-dir.js';
import { UnusableDirError } from './engine/out-dir.js';
import { OutDirBusyError } from './engine/out-dir-lock.js';
import { ConfigurationMismatchError } from './engine/plan.js';
import { CorruptRunRecordError } from './engine/run-record.js';
import { isStorageError } from './engine/storage-error.js';
import { EXIT } from './exit-codes.js';
import { parseArgs, USAGE, UsageError } from './options.js';
import { QueueUnreachableError } from './queue/connect.js';
import { QueueUrlError } from './queue/queue-url.js';
import { repro } from './repro.js';

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
