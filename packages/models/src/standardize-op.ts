import * as tf from '@tensorflow/tfjs-core';

/**
 * The name under which a backend may register a kernel that computes {@link standardize} in one
 * pass (`@bregman/runtime` registers one for `wasm`): inputs `x`, `mean`, `std` (float32; `mean`
 * and `std` of one entry or one per channel, the last axis of `x`); output `(x − mean) / std`,
 * float32 after each operation — what `tf.div(tf.sub(x, mean), std)` computes.
 */
export const STANDARDIZE_KERNEL = 'BregmanStandardize';

/**
 * `(x − mean) / std`, `mean` and `std` broadcast along the last axis of `x` (one entry each, or
 * one per channel): one kernel where the backend has {@link STANDARDIZE_KERNEL}, else
 * `tf.div(tf.sub(x, mean), std)` — the same float32 results either way. The gradient flows to
 * `x` only (`dy / std`): `mean` and `std` are constants.
 */
export function standardize(x: tf.Tensor, mean: tf.Tensor, std: tf.Tensor): tf.Tensor {
  const float32 = x.dtype === 'float32' && mean.dtype === 'float32' && std.dtype === 'float32';
  if (float32 && tf.getKernel(STANDARDIZE_KERNEL, tf.getBackend())) {
    return tf.engine().runKernel(STANDARDIZE_KERNEL, { x, mean, std }) as tf.Tensor;
  }
  return tf.div(tf.sub(x, mean), std);
}

tf.registerGradient({
  kernelName: STANDARDIZE_KERNEL,
  inputsToSave: ['std'],
  gradFunc: (dy, saved) => {
    const [std] = saved as [tf.Tensor];
    return { x: () => tf.div(dy as tf.Tensor, std) };
  },
});
