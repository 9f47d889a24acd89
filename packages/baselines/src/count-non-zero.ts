import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

/** The number of non-zero entries of `x`, as an int32 scalar tensor. */
export function countNonZero(x: Tensor): Tensor {
  return tf.tidy(() => tf.sum(tf.cast(tf.notEqual(x, 0), 'int32')));
}
