import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CIFAR10_CLASSES } from './class-names.js';
import { DataFileError } from './data-file-error.js';
import { createDataset, type ImageDataset } from './dataset.js';
import { readBytes } from './read-bytes.js';
import type { TrainTestData } from './train-test.js';

const SIDE = 32;
const PLANE = SIDE * SIDE;
const RECORD = 1 + 3 * PLANE;

/** The official CIFAR-10 binary file names: five training batches, one test batch. */
export const CIFAR10_FILE_NAMES = Object.freeze({
  /** The five training batches, 10,000 records each, in order. */
  train: Object.freeze([
    'data_batch_1.bin',
    'data_batch_2.bin',
    'data_batch_3.bin',
    'data_batch_4.bin',
    'data_batch_5.bin',
  ]),
  /** The test batch, 10,000 records. */
  test: 'test_batch.bin',
});

const WHERE_TO_GET =
  'get the "CIFAR-10 binary version (suitable for C programs)", cifar-10-binary.tar.gz, from ' +
  'https://www.cs.toronto.edu/~kriz/cifar.html, extract it and pass its cifar-10-batches-bin ' +
  'directory (nothing is downloaded at run time)';

/** Options of {@link loadCifar10}. */
export interface Cifar10Options {
  /**
   * The extracted `cifar-10-batches-bin` directory (or the directory that contains it),
   * holding `data_batch_1.bin` … `data_batch_5.bin` and `test_batch.bin`.
   */
  dir: string;
}

/**
 * Parses the bytes of a CIFAR-10 binary batch: records of 1 label byte and 3,072 pixel
 * bytes (1,024 red, then 1,024 green, then 1,024 blue, each plane row-major), converted to
 * HWC order (`[32, 32, 3]` per image). `file` names the source in errors: an empty or
 * truncated file (not a whole number of 3,073-byte records), a label above 9.
 */
export function parseCifar10Batch(bytes: Uint8Array, file: string, name = file): ImageDataset {
  if (bytes.length === 0) throw new DataFileError(file, 'empty file');
  if (bytes.length % RECORD !== 0) {
    throw new DataFileError(
      file,
      `truncated or not a CIFAR-10 binary batch: ${bytes.length} bytes is not a whole number of ${RECORD}-byte records (${Math.floor(bytes.length / RECORD)} records and ${bytes.length % RECORD} bytes)`,
    );
  }
  const count = bytes.length / RECORD;
  const labels = new Uint8Array(count);
  const images = new Uint8Array(count * 3 * PLANE);
  for (let n = 0; n < count; n++) {
    const record = n * RECORD;
    const label = bytes[record]!;
    if (label > 9) {
      throw new DataFileError(
        file,
        `record ${n} (byte ${record}) has label ${label}, expected 0–9: not a CIFAR-10 batch (CIFAR-100 records have 2 label bytes)`,
      );
    }
    labels[n] = label;
    const out = n * 3 * PLANE;
    for (let c = 0; c < 3; c++) {
      const plane = record + 1 + c * PLANE;
      for (let p = 0; p < PLANE; p++) images[out + 3 * p + c] = bytes[plane + p]!;
    }
  }
  return cifarDataset(name, images, labels);
}

/** Reads one CIFAR-10 binary batch file. See {@link parseCifar10Batch}. */
export async function readCifar10Batch(file: string, name = file): Promise<ImageDataset> {
  return parseCifar10Batch(await readBytes(file, WHERE_TO_GET), file, name);
}

/**
 * Loads CIFAR-10 from the official binary files in `dir` (50,000 training images from the
 * five training batches in order, 10,000 test images; 32 × 32 × 3, HWC). There is no
 * offline npm copy: a missing directory or file is an error that says where to get it.
 */
export async function loadCifar10(options: Cifar10Options): Promise<TrainTestData> {
  const given = options?.dir;
  if (typeof given !== 'string' || given.length === 0) {
    throw new TypeError(`loadCifar10: dir must name the CIFAR-10 directory; ${WHERE_TO_GET}`);
  }
  if (!existsSync(given) || !statSync(given).isDirectory()) {
    throw new DataFileError(given, `CIFAR-10 directory not found; ${WHERE_TO_GET}`);
  }
  const nested = join(given, 'cifar-10-batches-bin');
  const dir =
    !existsSync(join(given, CIFAR10_FILE_NAMES.test)) && existsSync(nested) ? nested : given;
  const names = [...CIFAR10_FILE_NAMES.train, CIFAR10_FILE_NAMES.test];
  const missing = names.filter((f) => !existsSync(join(dir, f)));
  if (missing.length > 0) {
    throw new DataFileError(dir, `missing ${missing.join(', ')}; ${WHERE_TO_GET}`);
  }
  const batches = await Promise.all(
    CIFAR10_FILE_NAMES.train.map((f) => readCifar10Batch(join(dir, f))),
  );
  const test = await readCifar10Batch(join(dir, CIFAR10_FILE_NAMES.test), 'cifar10/test');
  const total = batches.reduce((n, b) => n + b.count, 0);
  const images = new Uint8Array(total * 3 * PLANE);
  const labels = new Uint8Array(total);
  let offset = 0;
  for (const batch of batches) {
    images.set(batch.images, offset * 3 * PLANE);
    labels.set(batch.labels, offset);
    offset += batch.count;
  }
  const train = cifarDataset('cifar10/train', images, labels);
  return { train, test, source: `CIFAR-10 binary files in ${dir}` };
}

/** A CIFAR-10 dataset (32 × 32 × 3 HWC, 10 classes) from its bytes. */
function cifarDataset(name: string, images: Uint8Array, labels: Uint8Array): ImageDataset {
  return createDataset({
    name,
    images,
    labels,
    height: SIDE,
    width: SIDE,
    channels: 3,
    numClasses: 10,
    classNames: CIFAR10_CLASSES,
  });
}
