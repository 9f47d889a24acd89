import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import {
  INPUT_LAYOUTS,
  type InputLayout,
  inputShape,
  LABEL_FORMATS,
  type LabelFormat,
  labelTensor,
} from './batch-tensors.js';
import type { ImageDataset } from './dataset.js';
import { checkStandardization, type Standardization } from './standardization.js';
import { toFloat32 } from './to-float32.js';
import { checkOneOf } from './validation.js';

/** Options of {@link toTensors}. */
export interface ToTensorsOptions {
  /** `x` as `[n, h, w, c]` (`'image'`, default, for conv nets) or `[n, h·w·c]` (`'flat'`, for MLPs). */
  layout?: InputLayout;
  /**
   * `y` as one-hot float32 `[n, numClasses]` (`'onehot'`, default: for
   * `categoricalCrossentropy`) or int32 class indices `[n]` (`'int'`: for
   * `sparseCategoricalCrossentropy`).
   */
  labelFormat?: LabelFormat;
  /** Standardize pixels with these statistics (else `x` is byte / 255, in [0, 1]). */
  standardize?: Standardization;
}

/** The whole of a dataset as two tensors, for `model.fit(x, y)` or `model.evaluate(x, y)`. */
export interface DatasetTensors {
  /** Inputs, float32, `[n, h, w, c]` or `[n, h·w·c]`. The caller disposes it. */
  x: Tensor;
  /** Labels, one-hot float32 `[n, numClasses]` or int32 `[n]`. The caller disposes it. */
  y: Tensor;
}

const OPTION_NAMES = ['layout', 'labelFormat', 'standardize'];

/**
 * All images and labels of a dataset (a split such as `mnist.train`, or the `train` /
 * `validation` of {@link splitDataset}) as `{x, y}` tensors in the order of the dataset,
 * built like {@link Batcher}'s batches. For `model.fit(x, y, {batchSize, shuffle: true})`
 * on sets that fit in memory (MNIST's 60,000 images are 188 MB of float32); for larger
 * ones, or for per-epoch seeded shuffles, use {@link Batcher}.
 *
 * @example
 * ```ts
 * const { x, y } = toTensors(train, { layout: 'flat', standardize });
 * await model.fit(x, y, { epochs: 2, batchSize: 128 });
 * tf.dispose([x, y]);
 * ```
 */
export function toTensors(dataset: ImageDataset, options: ToTensorsOptions = {}): DatasetTensors {
  checkDataset(dataset);
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(
      `toTensors: options must be an object {layout?, labelFormat?, standardize?}, got ${String(options)}`,
    );
  }
  const unknown = Object.keys(options).filter((key) => !OPTION_NAMES.includes(key));
  if (unknown.length > 0) {
    throw new TypeError(
      `toTensors: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}; the options are ${OPTION_NAMES.join(', ')} (one-hot labels: labelFormat: 'onehot', flat inputs: layout: 'flat')`,
    );
  }
  const { layout = 'image', labelFormat = 'onehot', standardize } = options;
  checkOneOf('toTensors: layout', layout, INPUT_LAYOUTS);
  checkOneOf('toTensors: labelFormat', labelFormat, LABEL_FORMATS);
  if (dataset.count === 0) throw new RangeError(`toTensors: ${dataset.name} has no images`);
  checkStandardization(dataset.channels, standardize, `toTensors(${dataset.name})`);
  const values = toFloat32(dataset, standardize === undefined ? {} : { standardize });
  const x = tf.tensor(values, inputShape(dataset, dataset.count, layout), 'float32');
  return { x, y: labelTensor(dataset, labelFormat) };
}

function checkDataset(dataset: ImageDataset): void {
  const ok =
    dataset !== null &&
    typeof dataset === 'object' &&
    dataset.images instanceof Uint8Array &&
    dataset.labels instanceof Uint8Array &&
    Number.isInteger(dataset.count) &&
    dataset.labels.length === dataset.count;
  if (!ok) {
    const got = Array.isArray(dataset)
      ? 'an array'
      : dataset !== null && typeof dataset === 'object'
        ? `an object with keys ${Object.keys(dataset).join(', ')}`
        : String(dataset);
    const split =
      dataset !== null && typeof dataset === 'object' && 'train' in dataset
        ? ' (pass one split, e.g. toTensors(mnist.train), not the {train, test} pair)'
        : '';
    throw new TypeError(
      `toTensors: dataset must be an ImageDataset (images and labels as Uint8Arrays, count), got ${got}${split}`,
    );
  }
}
