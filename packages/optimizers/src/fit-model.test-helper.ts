import { teacherMlp } from '@bregman/test-utils/layers';
import * as tf from '@tensorflow/tfjs';

/**
 * A 20-32-4 ReLU MLP for `teacherData` (`@bregman/test-utils/layers`) with seeded weights;
 * kernels masked to density ≈ r (Bernoulli(r) mask, variance scaled by 1/r).
 */
export function sparseMlp(seed = 5, r = 0.2) {
  const model = teacherMlp({
    seed,
    outputSeed: seed + 2,
    biasInitializer: tf.initializers.randomUniform({ minval: 0, maxval: 0.2, seed: seed + 1 }),
  });
  for (const layer of model.layers) {
    // getWeights() hands out the layer's own variables: read them, never dispose them
    const [kernel, bias] = layer.getWeights() as [tf.Tensor, tf.Tensor];
    tf.tidy(() => {
      const u = tf.randomUniform(kernel.shape, 0, 1, 'float32', seed + 3);
      const mask = tf.cast(tf.less(u, r), 'float32');
      layer.setWeights([tf.div(tf.mul(kernel, mask), Math.sqrt(r)), bias]);
    });
  }
  return model;
}

/** Fraction of non-zero kernel entries of a model. */
export function kernelDensity(model: tf.LayersModel): number {
  let nonZero = 0;
  let total = 0;
  for (const w of model.trainableWeights) {
    if (!w.originalName.endsWith('/kernel')) continue;
    const values = w.read().dataSync();
    nonZero += values.filter((v) => v !== 0).length;
    total += values.length;
  }
  return nonZero / total;
}
