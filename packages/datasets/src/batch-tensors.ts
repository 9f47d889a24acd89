import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { ImageDataset } from './dataset.js';
import { imageSize } from './dataset.js';

/** How inputs are laid out: `[n, h, w, c]` (`'image'`) or `[n, h·w·c]` (`'flat'`, for MLPs). */
export type InputLayout = 'image' | 'flat';

/** How labels are given: one-hot float32 `[n, numClasses]` or int32 class indices `[n]`. */
export type LabelFormat = 'onehot' | 'int';

/** Every {@link InputLayout}. */
export const INPUT_LAYOUTS: readonly InputLayout[] = ['image', 'flat'];

/** Every {@link LabelFormat}. */
export const LABEL_FORMATS: readonly LabelFormat[] = ['onehot', 'int'];

/** The shape of `count` images of `dataset` in `layout`. */
export function inputShape(dataset: ImageDataset, count: number, layout: InputLayout): number[] {
  return layout === 'flat'
    ? [count, imageSize(dataset)]
    : [count, dataset.height, dataset.width, dataset.channels];
}

/**
 * The labels of the images `indices` (all images, in order, when absent) as a tensor in
 * `format`; the caller disposes it.
 */
export function labelTensor(
  dataset: ImageDataset,
  format: LabelFormat,
  indices?: ArrayLike<number>,
): Tensor {
  const count = indices ? indices.length : dataset.count;
  const label = (k: number) => dataset.labels[indices ? indices[k]! : k]!;
  if (format === 'int') {
    const labels = new Int32Array(count);
    for (let k = 0; k < count; k++) labels[k] = label(k);
    return tf.tensor(labels, [count], 'int32');
  }
  const classes = dataset.numClasses;
  const oneHot = new Float32Array(count * classes);
  for (let k = 0; k < count; k++) oneHot[k * classes + label(k)] = 1;
  return tf.tensor(oneHot, [count, classes], 'float32');
}
