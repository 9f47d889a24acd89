import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * The magnitude of each unit of a kernel: `|θ|` entry-wise (no `reduceAxes`), else the
 * Euclidean norm `‖θ_g‖₂` of each group, kept in the kernel's rank so that it broadcasts
 * (`[1, nOut]` for the neurons of a Dense kernel, `[1, 1, cin, cout]` for conv kernels).
 * Computed as `m·‖θ_g/m‖` with `m = max|θ_g|`, so tiny weights do not underflow to a zero
 * norm in float32.
 */
export function unitMagnitudes(theta: Tensor, reduceAxes: readonly number[]): Tensor {
  return tf.tidy(() => {
    const abs = tf.abs(theta);
    if (reduceAxes.length === 0) return abs;
    const axes = [...reduceAxes];
    const m = tf.max(abs, axes, true);
    const safe = tf.where(tf.greater(m, 0), m, tf.onesLike(m));
    return tf.mul(m, tf.sqrt(tf.sum(tf.square(tf.div(theta, safe)), axes, true)));
  });
}

/** The number of non-zero entries of `x`, as an int32 scalar tensor. */
export function countNonZero(x: Tensor): Tensor {
  return tf.tidy(() => tf.sum(tf.cast(tf.notEqual(x, 0), 'int32')));
}
