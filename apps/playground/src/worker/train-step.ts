import { softmaxCrossEntropy } from '@bregman/runtime/browser';
import * as tf from '@tensorflow/tfjs';
import type { DataTensors } from './data-tensors.js';

/** What one step returns, both on the backend (the caller disposes them). */
export interface StepResult {
  /** The batch's mean cross-entropy. */
  loss: tf.Scalar;
  /** How many of the batch's images the model got right before the step. */
  correct: tf.Scalar;
}

/**
 * One optimizer step on the images `order[start … start + batchSize)` of `data`: softmax
 * cross-entropy of the logits, `optimizer.minimize` over the model's trainable weights. Reads
 * nothing from the backend.
 */
export function trainStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  data: DataTensors,
  order: tf.Tensor1D,
  start: number,
  batchSize: number,
): StepResult {
  return tf.tidy(() => {
    const indices = tf.slice(order, [start], [batchSize]);
    const x = tf.gather(data.x, indices);
    const labels = tf.gather(data.y, indices);
    const y = tf.oneHot(labels, 10);
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    let correct: tf.Scalar | undefined;
    const loss = optimizer.minimize(
      () => {
        const logits = model.apply(x, { training: true }) as tf.Tensor;
        correct = tf.keep(
          tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32')),
        ) as tf.Scalar;
        return softmaxCrossEntropy(y, logits);
      },
      true,
      variables,
    );
    if (!loss || !correct) throw new Error('internal: the step returned no loss');
    const result = { loss, correct: tf.clone(correct) };
    correct.dispose();
    return result;
  });
}
