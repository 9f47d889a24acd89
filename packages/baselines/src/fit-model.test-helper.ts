import { teacherMlp } from '@bregman/test-utils/layers';
import * as tf from '@tensorflow/tfjs';

/** A dense 20-32-4 ReLU / softmax MLP with seeded weights (zero biases). */
export function denseNet(seed = 5, options: { kernelRegularizer?: unknown } = {}) {
  const kernelRegularizer = options.kernelRegularizer as never;
  return teacherMlp({ seed, kernelRegularizer });
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
