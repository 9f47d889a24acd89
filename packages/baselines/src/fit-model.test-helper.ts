import * as tf from '@tensorflow/tfjs';

/**
 * A synthetic 4-class problem whose labels depend on 4 of 20 features (a sparse teacher):
 * `x ~ N(0, 1)^20`, `y = onehot(argmax(x·T))` with `T` zero outside its first 4 rows.
 */
export function teacherData(seed = 3, samples = 512) {
  return tf.tidy(() => {
    const x = tf.randomNormal([samples, 20], 0, 1, 'float32', seed);
    const teacher = tf.concat([
      tf.randomNormal([4, 4], 0, 1, 'float32', seed + 1),
      tf.zeros([16, 4]),
    ]);
    const y = tf.oneHot(tf.argMax(tf.matMul(x, teacher), 1), 4);
    return { x, y };
  });
}

/** A dense 20-32-4 ReLU / softmax MLP with seeded weights. */
export function denseNet(seed = 5, options: { kernelRegularizer?: unknown } = {}) {
  const kernelRegularizer = options.kernelRegularizer as never;
  return tf.sequential({
    layers: [
      tf.layers.dense({
        units: 32,
        activation: 'relu',
        inputShape: [20],
        kernelInitializer: tf.initializers.heNormal({ seed }),
        kernelRegularizer,
      }),
      tf.layers.dense({
        units: 4,
        activation: 'softmax',
        kernelInitializer: tf.initializers.glorotNormal({ seed: seed + 1 }),
        kernelRegularizer,
      }),
    ],
  });
}

/** Non-zero entries of a tensor (read back). */
export function nonZero(t: tf.Tensor): number {
  return Array.from(t.dataSync()).reduce((n, v) => n + (v !== 0 ? 1 : 0), 0);
}

/** Accuracy of a model on (x, one-hot y). */
export function accuracy(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor): number {
  return tf.tidy(() => {
    const predicted = tf.argMax(model.predict(x) as tf.Tensor, 1);
    return tf.mean(tf.cast(tf.equal(predicted, tf.argMax(y, 1)), 'float32')).dataSync()[0]!;
  });
}
