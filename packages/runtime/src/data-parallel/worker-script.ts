import { compiledScript } from '../compiled-script.js';

/** The compiled worker thread script, `dist/data-parallel/worker.js` (see `compiledScript`). */
export function workerScript(): URL {
  return compiledScript('data-parallel/worker.js', 'DataParallelTrainer');
}
