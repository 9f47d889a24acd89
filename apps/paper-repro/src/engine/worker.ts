// A worker process of `pnpm repro --jobs N`: its own tfjs backend, runs one run at a time.
import { startBackend } from './backend.js';
import { trainRun } from './train-run.js';
import type { FromWorker, SharedRunOptions, ToWorker } from './worker-protocol.js';

const send = (message: FromWorker) => process.send?.(message);
let options: SharedRunOptions = { resume: false };
let backend = '';

process.on('message', async (message: ToWorker) => {
  if (message.type === 'init') {
    options = message.options;
    try {
      backend = await startBackend(options.backend);
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
        onEvent: (event) => send({ type: 'event', event }),
      });
      send({ type: 'result', runId: spec.runId, status: 'done' });
    } catch (error) {
      send({ type: 'result', runId: spec.runId, status: 'failed', error: String(error) });
    }
  } else if (message.type === 'exit') {
    process.disconnect();
  }
});
