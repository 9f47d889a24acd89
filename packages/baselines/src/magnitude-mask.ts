import { groupMagnitudes } from '@bregman/core-prox';
import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * A 0/1 mask (float32, at unit level: the shape of core-prox's `groupMagnitudes`) that keeps exactly
 * the `keep` units of largest magnitude. Units already masked out by `previous` rank below
 * every other unit, so a mask only ever shrinks; ties are broken by `tf.topk`. Multiplying
 * the kernel by the mask broadcasts it over each group.
 */
export function largestUnitsMask(
  theta: Tensor,
  reduceAxes: readonly number[],
  keep: number,
  previous?: Tensor,
): Tensor {
  return tf.tidy(() => {
    let score = groupMagnitudes(theta, reduceAxes);
    if (previous) score = tf.where(tf.greater(previous, 0), score, tf.fill(score.shape, -1));
    const { indices } = tf.topk(tf.reshape(score, [-1]), keep, false);
    const flat = tf.scatterND(tf.expandDims(indices, 1), tf.ones([keep]), [score.size]);
    return tf.reshape(flat, score.shape);
  });
}
