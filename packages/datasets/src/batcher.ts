import { checkCount, checkNonNegative, Rng } from '@bregman/core-prox';
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
import { imageSize } from './dataset.js';
import { randomPermutation } from './random.js';
import { checkStandardization, pixelTable, type Standardization } from './standardization.js';
import { STREAM } from './streams.js';
import { checkOneOf, checkPositiveInteger, checkSeed } from './validation.js';

/** Random training augmentation, drawn per image, per epoch, from the batcher's seed. */
export interface Augmentation {
  /**
   * Pad every side with this many pixels of byte value 0, then crop a random window of
   * the original size (torchvision's `RandomCrop(size, padding)`; CIFAR-10 uses 4).
   * Default 0: no cropping.
   */
  cropPadding?: number;
  /** Mirror the image left–right with probability ½ (after cropping). Default false. */
  horizontalFlip?: boolean;
}

/** Options of {@link Batcher}. */
export interface BatcherOptions {
  /** Images per batch, ≥ 1 (the paper: 128). */
  batchSize: number;
  /** Visit the images in a new seeded random order every epoch (default true). */
  shuffle?: boolean;
  /** Seed of the shuffles, the noise and the augmentation (default 0). */
  seed?: number;
  /** Leave out the last, smaller batch of an epoch (default false). */
  dropRemainder?: boolean;
  /** `x` as `[b, h, w, c]` (`'image'`, default) or `[b, h·w·c]` (`'flat'`, for MLPs). */
  layout?: InputLayout;
  /** `y` as one-hot float32 `[b, numClasses]` (`'onehot'`, default) or int32 `[b]` (`'int'`). */
  labelFormat?: LabelFormat;
  /**
   * What `y` is: the class (`'label'`, default) or the clean image in `x`'s layout
   * (`'image'`: denoising, with `noiseStd` > 0).
   */
  target?: 'label' | 'image';
  /** Standardize pixels with these statistics (else `x` is byte / 255, in [0, 1]). */
  standardize?: Standardization;
  /**
   * Standard deviation of additive Gaussian noise on `x`, in [0, 1] pixel units (before
   * standardization), drawn afresh per image and epoch from the seed; default 0. The
   * paper's denoising experiment: 0.05. No clipping.
   */
  noiseStd?: number;
  /** Random crop / flip per image (default none). */
  augment?: Augmentation;
}

/** One batch: inputs, targets, and which images of the dataset they are. */
export interface Batch {
  /** Inputs, float32, `[b, h, w, c]` or `[b, h·w·c]`. The caller disposes it. */
  x: Tensor;
  /** Targets: one-hot float32, int32 class indices, or clean images. The caller disposes it. */
  y: Tensor;
  /** Indices into the dataset of the batch's images, in batch order. */
  indices: Uint32Array;
}

/**
 * Cuts a dataset into batches of tensors, epoch after epoch. Each epoch visits every
 * image once, in a seeded random order that depends only on `(seed, epoch)`; each batch
 * is built from bytes into one fresh float32 array (a lookup table converts and
 * standardizes; no per-image tensors) and becomes two tensors, `x` and `y`, which the
 * caller disposes.
 *
 * @example
 * ```ts
 * const batcher = new Batcher(train, { batchSize: 128, seed: 1, layout: 'flat' });
 * for (let epoch = 0; epoch < 10; epoch++) {
 *   for (const { x, y } of batcher.batches(epoch)) {
 *     await model.trainOnBatch(x, y);
 *     tf.dispose([x, y]);
 *   }
 * }
 * ```
 */
export class Batcher {
  /** The dataset batched. */
  readonly dataset: ImageDataset;
  /** Images per batch. */
  readonly batchSize: number;
  /** Batches per epoch. */
  readonly numBatches: number;
  private readonly options: Required<Omit<BatcherOptions, 'standardize'>>;
  private readonly stdPerChannel: number[];
  private readonly table: Float32Array;

  constructor(dataset: ImageDataset, options: BatcherOptions) {
    const {
      batchSize,
      shuffle = true,
      seed = 0,
      dropRemainder = false,
      layout = 'image',
      labelFormat = 'onehot',
      target = 'label',
      standardize,
      noiseStd = 0,
      augment = {},
    } = options;
    checkPositiveInteger('Batcher: batchSize', batchSize);
    checkSeed('Batcher: seed', seed);
    checkOneOf('Batcher: layout', layout, INPUT_LAYOUTS);
    checkOneOf('Batcher: labelFormat', labelFormat, LABEL_FORMATS);
    checkOneOf('Batcher: target', target, ['label', 'image']);
    checkNonNegative('Batcher: noiseStd', noiseStd);
    checkCount('Batcher: augment.cropPadding', augment.cropPadding ?? 0);
    if (dataset.count === 0) throw new RangeError(`Batcher: ${dataset.name} has no images`);
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.numBatches = dropRemainder
      ? Math.floor(dataset.count / batchSize)
      : Math.ceil(dataset.count / batchSize);
    if (this.numBatches === 0) {
      throw new RangeError(
        `Batcher: batchSize ${batchSize} with dropRemainder leaves no batch of the ${dataset.count} images of ${dataset.name}`,
      );
    }
    this.options = {
      batchSize,
      shuffle,
      seed,
      dropRemainder,
      layout,
      labelFormat,
      target,
      noiseStd,
      augment,
    };
    const name = `Batcher(${dataset.name})`;
    this.stdPerChannel = checkStandardization(dataset.channels, standardize, name).std;
    this.table = pixelTable(dataset.channels, standardize, name);
  }

  /** The order in which epoch `epoch` visits the images (the identity without shuffle). */
  order(epoch: number): Uint32Array {
    checkCount('Batcher.order: epoch', epoch);
    const n = this.dataset.count;
    if (this.options.shuffle) {
      return randomPermutation(n, new Rng(this.options.seed, STREAM.shuffle, epoch));
    }
    const identity = new Uint32Array(n);
    for (let i = 0; i < n; i++) identity[i] = i;
    return identity;
  }

  /**
   * The batches of epoch `epoch` (0, 1, …), in order. The same epoch number gives the
   * same batches (same images, noise and augmentation). Dispose each batch's tensors.
   */
  *batches(epoch: number): Generator<Batch, void, undefined> {
    const order = this.order(epoch);
    for (let b = 0; b < this.numBatches; b++) {
      const from = b * this.batchSize;
      const indices = order.subarray(from, Math.min(from + this.batchSize, order.length));
      yield this.makeBatch(indices, epoch, b);
    }
  }

  /** Builds the batch of the images `indices` as the `b`-th batch of epoch `epoch`. */
  private makeBatch(indices: Uint32Array, epoch: number, b: number): Batch {
    const { dataset } = this;
    const { seed, layout, labelFormat, target, noiseStd, augment } = this.options;
    const size = imageSize(dataset);
    const count = indices.length;
    const clean = new Float32Array(count * size);
    const padding = augment.cropPadding ?? 0;
    if (padding > 0 || augment.horizontalFlip) {
      this.gatherAugmented(indices, clean, new Rng(seed, STREAM.augment, epoch, b));
    } else {
      this.gather(indices, clean);
    }
    let x = clean;
    if (noiseStd > 0) {
      x = target === 'image' ? new Float32Array(clean) : clean;
      const noise = new Float32Array(x.length);
      new Rng(seed, STREAM.noise, epoch, b).fillNormal(noise);
      const channels = dataset.channels;
      const scale = this.stdPerChannel.map((s) => noiseStd / s);
      for (let i = 0; i < x.length; i++) x[i] = x[i]! + scale[i % channels]! * noise[i]!;
    }
    const shape = inputShape(dataset, count, layout);
    const xTensor = tf.tensor(x, shape, 'float32');
    const y =
      target === 'image'
        ? tf.tensor(x === clean ? new Float32Array(clean) : clean, shape, 'float32')
        : labelTensor(dataset, labelFormat, indices);
    return { x: xTensor, y, indices: indices.slice() };
  }

  private gather(indices: Uint32Array, out: Float32Array): void {
    const { images, channels } = this.dataset;
    const { table } = this;
    const size = imageSize(this.dataset);
    for (let k = 0; k < indices.length; k++) {
      const src = indices[k]! * size;
      const dst = k * size;
      if (channels === 1) {
        for (let p = 0; p < size; p++) out[dst + p] = table[images[src + p]!]!;
      } else {
        for (let p = 0; p < size; p++)
          out[dst + p] = table[(p % channels) * 256 + images[src + p]!]!;
      }
    }
  }

  private gatherAugmented(indices: Uint32Array, out: Float32Array, rng: Rng): void {
    const { images, channels, height: h, width: w } = this.dataset;
    const { table } = this;
    const size = imageSize(this.dataset);
    const padding = this.options.augment.cropPadding ?? 0;
    const flip = this.options.augment.horizontalFlip ?? false;
    for (let k = 0; k < indices.length; k++) {
      const oy = padding > 0 ? rng.below(2 * padding + 1) - padding : 0;
      const ox = padding > 0 ? rng.below(2 * padding + 1) - padding : 0;
      const mirrored = flip && rng.uniform() < 0.5;
      const src = indices[k]! * size;
      const dst = k * size;
      for (let r = 0; r < h; r++) {
        const sr = r + oy;
        for (let col = 0; col < w; col++) {
          const sc = (mirrored ? w - 1 - col : col) + ox;
          const inside = sr >= 0 && sr < h && sc >= 0 && sc < w;
          const o = dst + (r * w + col) * channels;
          const s = src + (sr * w + sc) * channels;
          for (let c = 0; c < channels; c++) {
            out[o + c] = table[c * 256 + (inside ? images[s + c]! : 0)]!;
          }
        }
      }
    }
  }
}
