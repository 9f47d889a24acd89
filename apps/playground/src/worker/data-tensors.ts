import * as tf from '@tensorflow/tfjs';
import type { ImageBytes } from '../data/asset-format.js';

/** Images as float32 in [0, 1] `[n, pixels]` and labels as int32 `[n]`, on the backend. */
export interface DataTensors {
  /** The images. */
  x: tf.Tensor2D;
  /** The class indices. */
  y: tf.Tensor1D;
  /** Number of images. */
  count: number;
}

/** Uploads bytes to the current backend (the model standardizes the [0, 1] pixels itself). */
export function toTensors(part: ImageBytes, pixels: number): DataTensors {
  const count = part.labels.length;
  const x = tf.tensor2d(
    Float32Array.from(part.images, (v) => v / 255),
    [count, pixels],
  );
  const y = tf.tensor1d(Int32Array.from(part.labels), 'int32');
  return { x, y, count };
}
