// A worker process of `pnpm repro --jobs N`: its own tfjs backend, runs one run at a time.
import { EXIT } from '../shared/exit-codes.js';
import { isStorageError } from '../storage/storage-error.js';
import { startBackend } from '../training/backend.js';
import { trainRun } from '../training/train-run.js';
import { exitOnCrash } from './crash.js';
import type { FromWorker, SharedRunOptions, ToWorker } from './worker-protocol.js';

// The parent may go between the check and the write (Ctrl-C, kill): the write then fails
// with EPIPE, which the callback takes (without one it is an uncaught 'error' event, a crash
// report); the 'disconnect' handler below ends the process.
const send = (message: FromWorker) => {
  if (process.connected) process.send?.(message, undefined, {}, () => {});
};
let options: SharedRunOptions = { resume: false, threads: 1 };
let backend = '';
exitOnCrash('repro worker');

// The parent is gone (it ended, or was killed): stop at once rather than go on writing into
// a results directory that a `--resume` may be using. Training yields to the event loop at
// every progress step, so this runs within a batch or so. Files are written atomically:
// stopping here leaves the last epoch's checkpoint whole.
process.on('disconnect', () => process.exit(EXIT.ok));

process.on('message', async (message: ToWorker) => {
  if (message.type === 'init') {
    options = message.options;
    try {
      backend = await startBackend(options.backend, options.threads);
      send({ type: 'ready', backend });
    } catch (error) {
      send({ type: 'failed', error: String(error) });
    }
  } else if (message.type === 'run') {
    const { spec, paths, resume } = message;
    try {
      await trainRun(spec, paths, {
        resume,
        backend,
        ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
        threads: options.threads,
        ...(options.sparseAware ? { sparseAware: true } : {}),
        onEvent: (event) => send({ type: 'event', event }),
      });
      send({ type: 'result', runId: spec.runId, status: 'done' });
    } catch (error) {
      send({
        type: 'result',
        runId: spec.runId,
        status: 'failed',
        error: String(error),
        ...(isStorageError(error) ? { storage: true } : {}),
      });
    }
  } else if (message.type === 'exit') {
    process.disconnect();
  }
});
