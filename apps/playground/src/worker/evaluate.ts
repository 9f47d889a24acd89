import * as tf from '@tensorflow/tfjs';
import type { DataTensors } from './data-tensors.js';

/** Images per forward pass of {@link accuracy}. */
const CHUNK = 1000;

/** The fraction of `data` that `model` classifies correctly (one read from the backend). */
export async function accuracy(model: tf.LayersModel, data: DataTensors): Promise<number> {
  const correct = tf.tidy(() => {
    const parts: tf.Tensor[] = [];
    for (let start = 0; start < data.count; start += CHUNK) {
      const size = Math.min(CHUNK, data.count - start);
      const x = tf.slice(data.x, [start, 0], [size, -1]);
      const y = tf.slice(data.y, [start], [size]);
      const predicted = tf.argMax(model.predict(x) as tf.Tensor, 1);
      parts.push(tf.sum(tf.cast(tf.equal(predicted, y), 'float32')));
    }
    return tf.addN(parts);
  });
  try {
    return (await correct.data())[0]! / data.count;
  } finally {
    correct.dispose();
  }
}
