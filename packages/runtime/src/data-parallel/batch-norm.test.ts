import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { relativeError } from '../backends.test-helper.js';
import { DataParallelTrainer } from './trainer.js';
import { batch, copyOf } from './trainer.test-helper.js';

function convBn(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [6, 6, 1],
        filters: 4,
        kernelSize: 3,
        useBias: false,
        kernelInitializer: tf.initializers.heNormal({ seed: 1 }),
      }),
      tf.layers.batchNormalization({ momentum: 0.5 }),
      tf.layers.reLU(),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
}

/** Every weight by variable name (trainable and not). */
function byName(model: tf.LayersModel, names: string[]): Record<string, Float32Array> {
  return Object.fromEntries(
    model.weights.map((w, i) => [names[i]!, w.read().dataSync() as Float32Array]),
  );
}

it('BatchNorm with 2 workers: each shard its own statistics, the running ones averaged, every replica the same after the step', async () => {
  const model = convBn();
  const names = model.weights.map((w) => w.name);
  const movingNames = model.nonTrainableWeights.map((w) => w.name);
  expect(movingNames).toHaveLength(2); // moving mean and variance
  const { x, y } = batch(8, [6, 6, 1], 3);

  // what each shard does on its own, from the same weights: gradients and running statistics
  const shards = [0, 4].map((start) => {
    const copy = copyOf(model, convBn);
    const [xs, ys] = [tf.slice(x, start, 4), tf.slice(y, start, 4)];
    const { value, grads } = tf.variableGrads(() =>
      tf.losses.softmaxCrossEntropy(ys, copy.apply(xs, { training: true }) as tf.Tensor),
    );
    const gradients = copy.trainableWeights.map((w) =>
      grads[(w.read() as tf.Variable).name]!.dataSync(),
    );
    const after = byName(copy, names);
    tf.dispose([xs, ys, value, ...Object.values(grads)]);
    copy.dispose();
    return { gradients, after };
  });
  const before = Object.fromEntries(
    Object.entries(byName(model, names)).map(([k, v]) => [k, v.slice()]),
  );

  const trainer = await DataParallelTrainer.create({
    model,
    optimizer: tf.train.sgd(0.1),
    loss: 'softmaxCrossEntropy',
    workers: 2,
    backend: 'cpu',
  });
  const { loss } = await trainer.step(x, y);
  expect(Number.isFinite(loss)).toBe(true);
  const after = byName(model, names);

  // the running statistics: the mean of the shards', finite, and moved
  for (const name of movingNames) {
    const mean = shards[0]!.after[name]!.map((v, i) => (v + shards[1]!.after[name]![i]!) / 2);
    expect(after[name]!.every(Number.isFinite)).toBe(true);
    expect(relativeError(after[name]!, mean), name).toBeLessThan(1e-6);
    expect(relativeError(after[name]!, before[name]!), name).toBeGreaterThan(1e-3);
  }
  // the trainable weights: one SGD step with the mean of the shards' gradients
  model.trainableWeights.forEach((w, i) => {
    const expected = before[w.name]!.map(
      (v, j) => v - (0.1 * (shards[0]!.gradients[i]![j]! + shards[1]!.gradients[i]![j]!)) / 2,
    );
    expect(relativeError(after[w.name]!, expected), w.name).toBeLessThan(1e-5);
  });

  // the worker thread's replica applied the same step: it holds the main model's weights and
  // averaged statistics, bit for bit
  const [replica] = await trainer.replicaWeights();
  for (const name of names)
    expect(Array.from(replica![name]!), name).toEqual(Array.from(after[name]!));

  await trainer.dispose();
  tf.dispose([x, y]);
  model.dispose();
});
