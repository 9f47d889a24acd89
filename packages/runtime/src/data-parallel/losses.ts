import * as tf from '@tensorflow/tfjs-core';
import { softmaxCrossEntropy } from '../softmax-cross-entropy.js';

/**
 * The losses {@link DataParallelTrainer} computes, by name (a function cannot be sent to a
 * thread):
 * - `softmaxCrossEntropy`: the model outputs logits, the labels are one-hot (or
 *   probabilities); this package's `softmaxCrossEntropy` (the value and logits gradient of
 *   `tf.losses.softmaxCrossEntropy`, in 2 kernels on wasm);
 * - `categoricalCrossentropy`: the model outputs probabilities (e.g. a softmax layer), the
 *   labels are one-hot; tfjs-layers' `'categoricalCrossentropy'` (outputs normalized to sum 1,
 *   clipped to `[1e-7, 1 − 1e-7]`);
 * - `meanSquaredError`: the mean of `(output − label)²` over every entry.
 *
 * Each is the mean over the samples of a per-sample loss, so that the mean over a batch is
 * the shard-size-weighted mean of the shards' means.
 */
export const DATA_PARALLEL_LOSSES = [
  'softmaxCrossEntropy',
  'categoricalCrossentropy',
  'meanSquaredError',
] as const;

/** One of {@link DATA_PARALLEL_LOSSES}. */
export type DataParallelLoss = (typeof DATA_PARALLEL_LOSSES)[number];

/** tfjs-layers' fuzz factor (`tf.backend().epsilon()` in float32). */
const EPSILON = 1e-7;

const lossFunctions: Record<DataParallelLoss, (labels: tf.Tensor, output: tf.Tensor) => tf.Scalar> =
  {
    softmaxCrossEntropy,
    categoricalCrossentropy: (labels, output) => {
      const axis = output.rank - 1;
      const p = tf.clipByValue(tf.div(output, tf.sum(output, axis, true)), EPSILON, 1 - EPSILON);
      return tf.mean(tf.neg(tf.sum(tf.mul(tf.cast(labels, 'float32'), tf.log(p)), axis)));
    },
    meanSquaredError: (labels, output) => tf.mean(tf.square(tf.sub(output, labels))),
  };

/** The mean loss `name` of `output` against `labels` over a batch. */
export function computeLoss(
  name: DataParallelLoss,
  labels: tf.Tensor,
  output: tf.Tensor,
): tf.Scalar {
  return lossFunctions[name](labels, output);
}

/** Whether `name` is a classification loss: then the accuracy (`acc`) is reported too. */
export function isClassificationLoss(name: DataParallelLoss): boolean {
  return name !== 'meanSquaredError';
}

/**
 * The number of samples whose largest output is where their label is largest (argmax over
 * the last axis), as a float32 scalar.
 */
export function countCorrect(labels: tf.Tensor, output: tf.Tensor): tf.Scalar {
  const axis = output.rank - 1;
  return tf.sum(tf.cast(tf.equal(tf.argMax(output, axis), tf.argMax(labels, axis)), 'float32'));
}

/**
 * Checks the `loss` option: one of {@link DATA_PARALLEL_LOSSES}, else an error that says why
 * and lists them.
 */
export function checkLoss(name: string, value: unknown): DataParallelLoss {
  const allowed = DATA_PARALLEL_LOSSES.map((n) => `'${n}'`).join(', ');
  if (typeof value === 'function') {
    throw new TypeError(
      `${name} must be a loss name, not a function (a function cannot be sent to a worker thread): one of ${allowed}`,
    );
  }
  if (typeof value !== 'string' || !(DATA_PARALLEL_LOSSES as readonly string[]).includes(value)) {
    throw new RangeError(`${name} must be one of ${allowed}, got ${describe(value)}`);
  }
  return value as DataParallelLoss;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : String(value);
}
