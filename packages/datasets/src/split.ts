import { checkCount, Rng } from '@bregman/core-prox';
import type { ImageDataset } from './dataset.js';
import { subset } from './dataset.js';
import { randomPermutation } from './random.js';
import { STREAM } from './streams.js';
import { checkSeed } from './validation.js';

/** Options of {@link splitDataset}. */
export interface SplitOptions {
  /** How many images go to the validation set (the paper's MNIST split: 5,000 of 60,000). */
  validationSize: number;
  /** The seed that picks them: the same seed gives the same split. */
  seed: number;
}

/** The two parts of {@link splitDataset} and which original images each holds. */
export interface TrainValidationSplit {
  /** The images not held out, in their original order. */
  train: ImageDataset;
  /** The held-out images, in their original order. */
  validation: ImageDataset;
  /** Indices into the original dataset of the `train` images, ascending. */
  trainIndices: Uint32Array;
  /** Indices into the original dataset of the `validation` images, ascending. */
  validationIndices: Uint32Array;
}

/**
 * Splits a dataset into training and validation sets: a seeded uniformly random choice
 * of `validationSize` images (not stratified) is held out. The parts are disjoint, cover
 * the dataset, and depend only on `seed`, `validationSize` and the dataset's size. For the
 * paper's MNIST setup: `splitDataset(mnist.train, { validationSize: 5000, seed })`
 * gives 55,000 / 5,000.
 */
export function splitDataset(dataset: ImageDataset, options: SplitOptions): TrainValidationSplit {
  const { validationSize, seed } = options;
  checkCount('splitDataset: validationSize', validationSize);
  checkSeed('splitDataset: seed', seed);
  if (validationSize > dataset.count) {
    throw new RangeError(
      `splitDataset: validationSize must be ≤ the ${dataset.count} images of ${dataset.name}, got ${validationSize}`,
    );
  }
  const order = randomPermutation(dataset.count, new Rng(seed, STREAM.split));
  const validationIndices = order.slice(0, validationSize).sort();
  const trainIndices = order.slice(validationSize).sort();
  return {
    train: subset(dataset, trainIndices, `${dataset.name}/split-train`),
    validation: subset(dataset, validationIndices, `${dataset.name}/split-validation`),
    trainIndices,
    validationIndices,
  };
}
