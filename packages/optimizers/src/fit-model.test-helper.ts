import * as tf from '@tensorflow/tfjs';

/**
 * A synthetic 4-class problem whose labels depend on 4 of 20 features (a sparse teacher),
 * and a 20-32-4 MLP whose kernels start sparse (Bernoulli(r) mask, variance scaled by 1/r).
 */
export function syntheticClassification(seed = 3, samples = 512) {
  const x = tf.randomNormal([samples, 20], 0, 1, 'float32', seed);
  const teacher = tf.mul(
    tf.randomNormal([20, 4], 0, 1, 'float32', seed + 1),
    tf.concat([tf.ones([4, 4]), tf.zeros([16, 4])]),
  );
  const y = tf.oneHot(tf.argMax(tf.matMul(x, teacher), 1), 4);
  teacher.dispose();
  return { x, y };
}

/** A 20-32-4 ReLU MLP with seeded weights; kernels masked to density ≈ r. */
export function sparseMlp(seed = 5, r = 0.2) {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({
        units: 32,
        activation: 'relu',
        inputShape: [20],
        kernelInitializer: tf.initializers.heNormal({ seed }),
        biasInitializer: tf.initializers.randomUniform({ minval: 0, maxval: 0.2, seed: seed + 1 }),
      }),
      tf.layers.dense({
        units: 4,
        activation: 'softmax',
        kernelInitializer: tf.initializers.glorotNormal({ seed: seed + 2 }),
      }),
    ],
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
