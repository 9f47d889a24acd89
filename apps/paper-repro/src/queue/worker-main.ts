#!/usr/bin/env node
// pnpm repro-worker --queue URL [options]: see --help (worker-options.ts).
import { exitOnCrash } from '../jobs/crash.js';
import { UsageError } from '../shared/cli-args.js';
import { EXIT } from '../shared/exit-codes.js';
import { CONNECT_TIMEOUT_MS, checkQueue, QueueUnreachableError } from './connect.js';
import { QueueUrlError } from './queue-url.js';
import { startQueueWorker } from './worker.js';
import { parseWorkerArgs, WORKER_USAGE } from './worker-options.js';

const log = (line: string) => console.error(line);
exitOnCrash('repro-worker');
try {
  const options = parseWorkerArgs(process.argv.slice(2));
  if (!options) {
    console.log(WORKER_USAGE);
  } else {
    const version = await checkQueue(options.queue, CONNECT_TIMEOUT_MS);
    const worker = startQueueWorker({ ...options, log });
    log(
      `repro-worker (${worker.name}): waiting for runs on ${options.queue.display} (Redis ${version}): ` +
        `${options.concurrency} at a time, ${options.threads} thread(s) each` +
        (options.out === undefined ? '' : `, results in ${options.out}`),
    );
    // stop at once: the runs in progress stop at their next batch (their processes see this
    // one go) and are given to other workers after --lock-seconds, from their checkpoints
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      process.on(signal, () => {
        log(
          `repro-worker (${worker.name}): stopped (${signal}); its runs go to other workers ` +
            `in ${options.lockSeconds} s, from their last checkpoints`,
        );
        process.exit(code);
      });
    }
    const reason = await worker.refused;
    log(`repro-worker (${worker.name}): put back ${reason}`);
    log(`repro-worker (${worker.name}): stopped: it cannot run this sweep's jobs`);
    process.exitCode = EXIT.usage;
  }
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  if ([UsageError, QueueUrlError, QueueUnreachableError].some((kind) => error instanceof kind)) {
    console.error(`repro-worker: ${message}`);
    process.exitCode = EXIT.usage;
  } else {
    console.error(
      `repro-worker: internal error: ${error instanceof Error ? error.stack : message}`,
    );
    process.exitCode = EXIT.internal;
  }
}
