import type { ImageDataset } from './dataset.js';

/** A training set and a test set, and where they came from. */
export interface TrainTestData {
  /** The training images. */
  train: ImageDataset;
  /** The test images. */
  test: ImageDataset;
  /** Where the data was read from, for logs: a package name and version, or a directory. */
  source: string;
}
