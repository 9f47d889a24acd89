import { Batcher, type BatcherOptions, type ImageDataset } from '@bregman/datasets';
import { softmaxCrossEntropy } from '@bregman/runtime';
import * as tf from '@tensorflow/tfjs';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { DataSpec, RunSpec } from '../shared/spec.js';
import { yieldToEventLoop } from './event-loop.js';

/** Loss and accuracy of a model on a dataset. */
export interface Evaluation {
  /** Mean loss (cross-entropy, or mean squared error). */
  loss: number;
  /** Share of correctly classified images, in [0, 1]; `null` for a regression loss. */
  accuracy: number | null;
}

/** How many rows of `logits` pick the class that is hot in `labels` (a float32 scalar). */
export function countCorrect(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.tidy(() =>
    tf.equal(tf.argMax(logits, -1), tf.argMax(labels, -1)).cast('float32').sum(),
  );
}

/**
 * The run's loss of a batch: cross-entropy of logits against one-hot labels (`@bregman/runtime`'s
 * `softmaxCrossEntropy`: `tf.losses.softmaxCrossEntropy`'s value and gradient, in 2 kernels on
 * wasm), or MSE.
 */
export function batchLoss(loss: RunSpec['loss'], target: tf.Tensor, output: tf.Tensor): tf.Scalar {
  return loss === 'mse'
    ? (tf.losses.meanSquaredError(target, output) as tf.Scalar)
    : softmaxCrossEntropy(target, output);
}

/** Batcher options for a run's data: the layout, the target and the input noise. */
export function batcherOptions(data: DataSpec, batchSize: number): BatcherOptions {
  return {
    batchSize,
    layout: data.layout,
    ...(data.target === undefined ? {} : { target: data.target }),
    ...(data.noiseStd === undefined ? {} : { noiseStd: data.noiseStd }),
  };
}

/**
 * Mean loss and accuracy of `model` on `dataset`, in inference mode, in batches, with one
 * read from the backend at the end. The images are visited in order; input noise (if the
 * run has any) is the same at every call.
 */
export async function evaluate(
  model: LayersModel,
  dataset: ImageDataset,
  spec: Pick<RunSpec, 'data' | 'loss'>,
  batchSize = 500,
): Promise<Evaluation> {
  const batcher = new Batcher(dataset, { ...batcherOptions(spec.data, batchSize), shuffle: false });
  const classify = spec.loss === 'crossentropy';
  let sums = tf.zeros([2]);
  for (const { x, y } of batcher.batches(0)) {
    const next = tf.tidy(() => {
      const output = model.apply(x, { training: false }) as tf.Tensor;
      const loss = batchLoss(spec.loss, y, output).mul(x.shape[0]);
      return sums.add(tf.stack([loss, classify ? countCorrect(output, y) : tf.scalar(0)]));
    });
    tf.dispose([x, y, sums]);
    sums = next;
    await yieldToEventLoop();
  }
  const [loss, correct] = await sums.data();
  sums.dispose();
  return { loss: loss! / dataset.count, accuracy: classify ? correct! / dataset.count : null };
}
