import { setGlobalSeed } from '@bregman/runtime';
import * as tf from '@tensorflow/tfjs';
import { type ModelCase, type OptimizerCase, trainingLoss } from './cases.js';

/** How far a few optimizer steps on one backend land from the same steps on `cpu`. */
export interface Agreement {
  /** The backend compared with `cpu`. */
  backend: string;
  /** The model. */
  model: string;
  /** The optimizer. */
  optimizer: string;
  /** Steps taken from the same weights on the same batch. */
  steps: number;
  /** Batch size. */
  batchSize: number;
  /** max |θ_backend − θ_cpu| ÷ max |θ_cpu| over all weights after the steps. */
  maxRelativeDifference: number;
  /** Weight entries that are zero on one backend and not on the other. */
  supportMismatches: number;
  /** All weight entries. */
  entries: number;
}

/** The seed of the initial weights: every run compares the same steps. */
const INITIAL_WEIGHTS_SEED = 1;

/** `steps` steps of `optimizer` from `initial` on one batch; the weights after them. */
async function stepsOn(
  backend: string,
  model: ModelCase,
  optimizer: OptimizerCase,
  initial: Float32Array[],
  batch: { x: Float32Array; labels: Int32Array; size: number },
  steps: number,
): Promise<Float32Array[]> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} did not start`);
  const net = model.build();
  tf.tidy(() =>
    net.setWeights(net.getWeights().map((w, i) => tf.tensor(initial[i]!, w.shape, w.dtype))),
  );
  const opt = optimizer.build(net);
  const x = tf.tensor(batch.x, [batch.size, ...model.inputShape]);
  const y = tf.oneHot(tf.tensor1d(batch.labels, 'int32'), model.classes);
  const loss = () => trainingLoss(y, net.apply(x, { training: true }) as tf.Tensor);
  for (let i = 0; i < steps; i++) opt.minimize(loss)?.dispose();
  const weights = await Promise.all(net.getWeights().map((w) => w.data() as Promise<Float32Array>));
  tf.dispose([x, y]);
  opt.dispose();
  net.dispose();
  return weights;
}

/**
 * The same `steps` steps of `optimizer` on one seeded batch, from the same seeded initial
 * weights, on `backend` and on `cpu` (the reference: plain JS in float32); leaves `backend` active.
 */
export async function measureAgreement(
  backend: string,
  model: ModelCase,
  optimizer: OptimizerCase,
  batchSize = 4,
  steps = 3,
): Promise<Agreement> {
  await tf.setBackend('cpu');
  const restoreRandom = setGlobalSeed(INITIAL_WEIGHTS_SEED);
  let initial: Float32Array[];
  try {
    const initialModel = model.build();
    initial = initialModel.getWeights().map((w) => w.dataSync() as Float32Array);
    initialModel.dispose();
  } finally {
    restoreRandom();
  }
  const size = batchSize;
  const x = tf.randomNormal([size, ...model.inputShape], 0, 1, 'float32', 11);
  const batch = {
    x: x.dataSync() as Float32Array,
    labels: Int32Array.from({ length: size }, (_, i) => (i * 7) % model.classes),
    size,
  };
  x.dispose();
  const cpu = await stepsOn('cpu', model, optimizer, initial, batch, steps);
  const other = await stepsOn(backend, model, optimizer, initial, batch, steps);
  let maxDiff = 0;
  let maxRef = 0;
  let supportMismatches = 0;
  let entries = 0;
  cpu.forEach((reference, i) => {
    const values = other[i]!;
    for (let j = 0; j < reference.length; j++) {
      maxDiff = Math.max(maxDiff, Math.abs(values[j]! - reference[j]!));
      maxRef = Math.max(maxRef, Math.abs(reference[j]!));
      if ((values[j] === 0) !== (reference[j] === 0)) supportMismatches++;
    }
    entries += reference.length;
  });
  return {
    backend,
    model: model.name,
    optimizer: optimizer.name,
    steps,
    batchSize,
    maxRelativeDifference: maxDiff / maxRef,
    supportMismatches,
    entries,
  };
}
