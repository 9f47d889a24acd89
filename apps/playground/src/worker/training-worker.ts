// One run per worker: the page starts a worker per run and terminates it on reset, which frees
// everything the run held (tensors, the GPU device, the wasm memory).
import type * as tf from '@tensorflow/tfjs';
import type { FromWorker, Snapshot, ToWorker } from '../protocol.js';
import { checkSettings } from '../settings.js';
import { startBackend } from './backend-choice.js';
import { buildRun } from './build-run.js';
import { toTensors } from './data-tensors.js';
import { exportCompacted } from './export-model.js';
import { Trainer } from './trainer.js';

/** The worker's global scope, as far as this file uses it (the DOM types are the page's). */
const scope = self as unknown as {
  postMessage(message: FromWorker, transfer: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  addEventListener(type: 'unhandledrejection', f: (e: PromiseRejectionEvent) => void): void;
};

function post(message: FromWorker, transfer: Transferable[] = []): void {
  scope.postMessage(message, transfer);
}

function fail(error: unknown): void {
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
}

/** The kernels' buffers go to the page without a copy. */
function snapshotTransfer(snapshot: Snapshot): Transferable[] {
  return snapshot.kernels.map((k) => k.values.buffer as ArrayBuffer);
}

let trainer: Trainer | undefined;
let model: tf.LayersModel | undefined;

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case 'init': {
      if (trainer) throw new Error('this worker already holds a run: start a new worker');
      const settings = checkSettings(message.settings);
      const backend = await startBackend(settings.backend, message.wasmUrl);
      const pixels = message.data.height * message.data.width;
      const built = buildRun(settings);
      model = built.model;
      trainer = new Trainer({
        model: built.model,
        optimizer: built.optimizer,
        train: toTensors(message.data.train, pixels),
        validation: toTensors(message.data.validation, pixels),
        batchSize: settings.batchSize,
        seed: settings.seed,
        send: (snapshot) => post({ type: 'snapshot', snapshot }, snapshotTransfer(snapshot)),
      });
      const snapshot = await trainer.initialSnapshot();
      post(
        { type: 'ready', backend, snapshot, stepsPerEpoch: trainer.stepsPerEpoch },
        snapshotTransfer(snapshot),
      );
      return;
    }
    case 'start':
      requireTrainer()
        .start()
        .then(() => post({ type: 'paused' }), fail);
      return;
    case 'pause':
      await requireTrainer().pause();
      return;
    case 'compact': {
      await requireTrainer().pause();
      const compacted = await exportCompacted(model!);
      post({ type: 'compacted', model: compacted }, [compacted.weights]);
      return;
    }
  }
}

function requireTrainer(): Trainer {
  if (!trainer) throw new Error("the run is not set up: send 'init' first");
  return trainer;
}

scope.onmessage = (event) => {
  handle(event.data).catch(fail);
};
scope.addEventListener('unhandledrejection', (event) => fail(event.reason));
