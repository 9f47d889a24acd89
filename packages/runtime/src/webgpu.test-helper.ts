import * as tf from '@tensorflow/tfjs';
import { randomData } from './backends.test-helper.js';
import { probeWebgpuAdapters } from './webgpu-probe.js';

/**
 * Why the webgpu tests cannot run here (no `webgpu` package, no adapter at all), or
 * `undefined` when an adapter exists (a GPU, or Mesa's software rasterizer). Prints the reason
 * once, so that a skipped suite says why.
 */
export async function webgpuUnavailable(suite: string): Promise<string | undefined> {
  const probe = await probeWebgpuAdapters();
  if (probe.hardware || probe.software) return undefined;
  const why =
    probe.error ??
    `no WebGPU adapter (Dawn: ${probe.notes.join('; ') || 'none found'}); install Mesa ` +
      '(apt-get install libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri) for a software adapter';
  console.warn(`${suite}: skipped, ${why}`);
  return why;
}

/**
 * Runs `fn` with `backend` active. Tensors do not move between the two backends here (moving a
 * webgpu tensor needs a synchronous read, impossible in Node): `fn` builds its own inputs.
 */
export async function on<T>(backend: 'cpu' | 'webgpu', fn: () => Promise<T>): Promise<T> {
  await tf.setBackend(backend);
  return fn();
}

/** Deterministic weights for `model` (each scaled by `scale`), as tensors on the active backend. */
export function setRandomWeights(model: tf.LayersModel, seed: number, scale = 0.5): void {
  model.setWeights(
    model.getWeights().map((w, i) => {
      const values = randomData(w.size, seed + i).map((v) => v * scale);
      return tf.tensor(values, w.shape, 'float32');
    }),
  );
}

/** The values of tensors, read asynchronously (the webgpu backend has no synchronous read in Node). */
export async function readAll(tensors: tf.Tensor[]): Promise<Float32Array[]> {
  return Promise.all(tensors.map(async (t) => (await t.data()) as Float32Array));
}

/**
 * Calls of the active backend's `readSync` (what `dataSync`, `arraySync` and a move to another
 * backend use) while `fn` runs.
 */
export async function countSyncReads(fn: () => Promise<void>): Promise<number> {
  const backend = tf.backend() as unknown as { readSync: (dataId: object) => unknown };
  const own = Object.hasOwn(backend, 'readSync');
  const readSync = backend.readSync;
  let calls = 0;
  backend.readSync = (dataId: object) => {
    calls++;
    return readSync.call(backend, dataId);
  };
  try {
    await fn();
  } finally {
    if (own) backend.readSync = readSync;
    else delete (backend as { readSync?: unknown }).readSync;
  }
  return calls;
}
