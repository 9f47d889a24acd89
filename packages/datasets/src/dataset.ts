import { checkCount } from '@bregman/core-prox';
import { checkPositiveInteger } from './validation.js';

/**
 * A labelled image set held as bytes: `count` images of `height × width × channels`
 * pixels, each stored row-major in HWC order (the layout of tfjs's `[b, h, w, c]` tensors),
 * and one class index per image. Convert to float32 on demand with {@link toFloat32} or
 * batch by batch with {@link Batcher}.
 */
export interface ImageDataset {
  /** A short name for messages, e.g. `'mnist/train'`. */
  readonly name: string;
  /** All pixels, `count · height · width · channels` bytes, image after image, HWC. */
  readonly images: Uint8Array;
  /** One class index in `[0, numClasses)` per image. */
  readonly labels: Uint8Array;
  /** Number of images. */
  readonly count: number;
  /** Image height in pixels. */
  readonly height: number;
  /** Image width in pixels. */
  readonly width: number;
  /** Channels per pixel (1 for MNIST, 3 for CIFAR-10). */
  readonly channels: number;
  /** Number of classes; every label is below it. */
  readonly numClasses: number;
  /** Class names, `numClasses` of them, when known. */
  readonly classNames?: readonly string[];
}

/** What {@link createDataset} needs: an {@link ImageDataset} without the derived `count`. */
export interface ImageDatasetInit {
  /** See {@link ImageDataset.name}. */
  name: string;
  /** See {@link ImageDataset.images}. */
  images: Uint8Array;
  /** See {@link ImageDataset.labels}. */
  labels: Uint8Array;
  /** See {@link ImageDataset.height}. */
  height: number;
  /** See {@link ImageDataset.width}. */
  width: number;
  /** See {@link ImageDataset.channels}. */
  channels: number;
  /** See {@link ImageDataset.numClasses}. */
  numClasses: number;
  /** See {@link ImageDataset.classNames}. */
  classNames?: readonly string[];
}

/**
 * Builds an {@link ImageDataset} from bytes, checking that the sizes agree and that every
 * label is a valid class index. The arrays are used as they are, not copied.
 */
export function createDataset(init: ImageDatasetInit): ImageDataset {
  const { name, images, labels, height, width, channels, numClasses, classNames } = init;
  checkPositiveInteger(`${name}: height`, height);
  checkPositiveInteger(`${name}: width`, width);
  checkPositiveInteger(`${name}: channels`, channels);
  checkPositiveInteger(`${name}: numClasses`, numClasses);
  if (numClasses > 256) {
    throw new RangeError(`${name}: numClasses must be ≤ 256 (labels are bytes), got ${numClasses}`);
  }
  if (!(images instanceof Uint8Array) || !(labels instanceof Uint8Array)) {
    throw new TypeError(`${name}: images and labels must be Uint8Arrays`);
  }
  const count = labels.length;
  const size = height * width * channels;
  if (images.length !== count * size) {
    throw new RangeError(
      `${name}: images has ${images.length} bytes, expected ${count} labels × ${height}·${width}·${channels} = ${count * size}`,
    );
  }
  const bad = firstLabelAtLeast(labels, numClasses);
  if (bad >= 0) {
    throw new RangeError(
      `${name}: label ${labels[bad]} at index ${bad} is outside [0, ${numClasses - 1}]`,
    );
  }
  if (classNames !== undefined && classNames.length !== numClasses) {
    throw new RangeError(
      `${name}: classNames has ${classNames.length} entries, expected numClasses = ${numClasses}`,
    );
  }
  return {
    name,
    images,
    labels,
    count,
    height,
    width,
    channels,
    numClasses,
    ...(classNames ? { classNames } : {}),
  };
}

/** Bytes per image: `height · width · channels`. */
export function imageSize(dataset: ImageDataset): number {
  return dataset.height * dataset.width * dataset.channels;
}

/**
 * The images at `indices`, in that order, copied into a new dataset (indices may repeat).
 */
export function subset(
  dataset: ImageDataset,
  indices: ArrayLike<number>,
  name = `${dataset.name}[subset]`,
): ImageDataset {
  const size = imageSize(dataset);
  const images = new Uint8Array(indices.length * size);
  const labels = new Uint8Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    if (!Number.isInteger(i) || i < 0 || i >= dataset.count) {
      throw new RangeError(
        `subset: indices[${k}] = ${i} is not an image index of ${dataset.name} (0 … ${dataset.count - 1})`,
      );
    }
    images.set(dataset.images.subarray(i * size, (i + 1) * size), k * size);
    labels[k] = dataset.labels[i]!;
  }
  return { ...dataset, name, images, labels, count: indices.length };
}

/** How many images each class has: entry `k` counts label `k`. */
export function labelCounts(dataset: ImageDataset): number[] {
  const counts = new Array<number>(dataset.numClasses).fill(0);
  for (const label of dataset.labels) counts[label] = (counts[label] ?? 0) + 1;
  return counts;
}

/** The first `count` images (all if fewer), sharing memory with `dataset`. */
export function head(dataset: ImageDataset, count: number): ImageDataset {
  checkCount('head: count', count);
  const n = Math.min(count, dataset.count);
  return {
    ...dataset,
    name: `${dataset.name}[:${n}]`,
    images: dataset.images.subarray(0, n * imageSize(dataset)),
    labels: dataset.labels.subarray(0, n),
    count: n,
  };
}

function firstLabelAtLeast(labels: Uint8Array, limit: number): number {
  if (limit >= 256) return -1;
  for (let i = 0; i < labels.length; i++) if (labels[i]! >= limit) return i;
  return -1;
}
