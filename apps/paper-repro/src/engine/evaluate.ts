import { Batcher, type ImageDataset } from '@bregman/datasets';
import * as tf from '@tensorflow/tfjs';
import type { LayersModel } from '@tensorflow/tfjs-layers';

/** Loss and accuracy of a model on a dataset. */
export interface Evaluation {
  /** Mean cross-entropy. */
  loss: number;
  /** Share of correctly classified images, in [0, 1]. */
  accuracy: number;
}

/** How many rows of `logits` pick the class that is hot in `labels` (a scalar tensor). */
export function countCorrect(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.tidy(() =>
    tf.equal(tf.argMax(logits, -1), tf.argMax(labels, -1)).cast('float32').sum(),
  );
}

/** Cross-entropy of logits against one-hot labels, averaged over the batch. */
export function crossEntropy(labels: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
}

/**
 * Mean loss and accuracy of `model` on `dataset`, in inference mode, in batches, with one
 * read from the backend at the end.
 */
export async function evaluate(
  model: LayersModel,
  dataset: ImageDataset,
  layout: 'image' | 'flat',
  batchSize = 1000,
): Promise<Evaluation> {
  const batcher = new Batcher(dataset, { batchSize, shuffle: false, layout });
  let sums = tf.zeros([2]);
  for (const { x, y } of batcher.batches(0)) {
    const next = tf.tidy(() => {
      const logits = model.apply(x, { training: false }) as tf.Tensor;
      const loss = crossEntropy(y, logits).mul(x.shape[0]);
      return sums.add(tf.stack([loss, countCorrect(logits, y)]));
    });
    tf.dispose([x, y, sums]);
    sums = next;
  }
  const [loss, correct] = await sums.data();
  sums.dispose();
  return { loss: loss! / dataset.count, accuracy: correct! / dataset.count };
}
