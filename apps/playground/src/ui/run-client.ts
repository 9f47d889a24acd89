import type { MnistAsset } from '../data/asset-format.js';
import type { FromWorker, ToWorker } from '../protocol.js';
import type { RunSettings } from '../settings.js';

/**
 * One run's training worker: started with the settings and the data, then driven by messages.
 * `terminate` ends the run and frees everything it held.
 */
export class RunClient {
  private readonly worker: Worker;

  constructor(
    settings: RunSettings,
    data: MnistAsset,
    wasmUrl: string,
    onMessage: (message: FromWorker) => void,
  ) {
    this.worker = new Worker(new URL('../worker/training-worker.ts', import.meta.url), {
      type: 'module',
      name: 'training',
    });
    this.worker.onmessage = (event: MessageEvent<FromWorker>) => onMessage(event.data);
    this.worker.onerror = (event) => {
      event.preventDefault();
      onMessage({ type: 'failed', message: `the training worker failed: ${event.message}` });
    };
    this.send({ type: 'init', settings, data, wasmUrl });
  }

  /** Sends a command to the worker. */
  send(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  /** Stops the worker at once. */
  terminate(): void {
    this.worker.terminate();
  }
}
