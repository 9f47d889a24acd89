import * as tf from '@tensorflow/tfjs';
import { randomData } from '../backends.test-helper.js';
import type { DataParallelOptions } from './options.js';

/** An MLP `inputs`-`hidden`-10 (logits) with a fixed init. */
export function mlp(inputs = 784, hidden = 32, seed = 1): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [inputs],
        units: hidden,
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed }),
        biasInitializer: tf.initializers.randomUniform({ minval: 0, maxval: 0.1, seed: seed + 1 }),
      }),
      tf.layers.dense({
        units: 10,
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }),
      }),
    ],
  });
}

/** A batch of `n` samples of `shape` (values in [-1, 1)) with one-hot labels of 10 classes. */
export function batch(n: number, shape: number[], seed: number): { x: tf.Tensor; y: tf.Tensor } {
  const size = n * shape.reduce((a, b) => a * b, 1);
  const x = tf.tensor(randomData(size, seed), [n, ...shape]);
  const labels = Array.from({ length: n }, (_, i) => (i * 7 + seed) % 10);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), 10));
  return { x, y };
}

/** A model built by `build` with the weights of `model` (trainable and not). */
export function copyOf(model: tf.LayersModel, build: () => tf.LayersModel): tf.LayersModel {
  const copy = build();
  copy.setWeights(model.getWeights());
  return copy;
}

/** The model's weights (trainable and not) as arrays, in `model.weights` order. */
export function weightValues(model: tf.LayersModel): Float32Array[] {
  return model.weights.map((w) => w.read().dataSync() as Float32Array);
}

/** LinBreg and AdaBreg are rebuilt in the threads: the threads import their module. */
export const OPTIMIZERS_MODULE = ['@bregman/optimizers'];

/**
 * The options of a trainer of `model` by `optimizer` on the softmax cross-entropy: 2 threads
 * on cpu that import {@link OPTIMIZERS_MODULE}, unless `options` says otherwise.
 */
export function trainerOptions(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  options: Pick<DataParallelOptions, 'workers' | 'backend' | 'modules'> = {},
): DataParallelOptions {
  return {
    model,
    optimizer,
    loss: 'softmaxCrossEntropy',
    workers: 2,
    backend: 'cpu',
    modules: OPTIMIZERS_MODULE,
    ...options,
  };
}
