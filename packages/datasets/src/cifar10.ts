import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CIFAR10_CLASSES } from './class-names.js';
import { DataFileError } from './data-file-error.js';
import { createDataset, type ImageDataset } from './dataset.js';
import { filesProvenance } from './provenance.js';
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

/** Records in each official CIFAR-10 batch file, training or test. */
const OFFICIAL_RECORDS_PER_BATCH = 10_000;

/** Options of {@link loadCifar10}. */
export interface Cifar10Options {
  /**
   * The extracted `cifar-10-batches-bin` directory (or the directory that contains it),
   * holding `data_batch_1.bin` … `data_batch_5.bin` and `test_batch.bin`.
   */
  dir: string;
  /**
   * How many records (images) each of the six batch files must hold: a positive integer,
   * default 10,000, the count of every official file. A file with any other count (for
   * example one cut short on a record boundary by an interrupted download or extraction) is
   * a {@link DataFileError} naming the file, the count found and the count expected. Set
   * it only for a smaller set in the official format, such as a test fixture or a synthetic
   * smoke-test set. A number that is not a positive integer is a `RangeError`, anything else a `TypeError`.
   */
  recordsPerBatch?: number;
}

/**
 * Parses the bytes of a CIFAR-10 binary batch: records of 1 label byte and 3,072 pixel
 * bytes (1,024 red, then 1,024 green, then 1,024 blue, each plane row-major), converted to
 * HWC order (`[32, 32, 3]` per image). `file` names the source in errors: an empty or
 * truncated file (not a whole number of 3,073-byte records), a label above 9. Any whole
 * number of records is accepted; {@link loadCifar10} also checks the count.
 */
export function parseCifar10Batch(bytes: Uint8Array, file: string, name = file): ImageDataset {
  if (bytes.length === 0) throw new DataFileError(file, 'empty file');
  if (bytes.length % RECORD !== 0) {
    throw new DataFileError(file, `truncated or not a CIFAR-10 binary batch: ${notWhole(bytes)}`);
  }
  const count = bytes.length / RECORD;
  const labels = new Uint8Array(count);
  const images = new Uint8Array(count * 3 * PLANE);
  decodeRecords(bytes, file, images, labels, 0);
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
 * Every file must hold `recordsPerBatch` records (default 10,000, as the official files
 * do). The result's `provenance` lists the six files with their sizes and SHA-256.
 */
export async function loadCifar10(options: Cifar10Options): Promise<TrainTestData> {
  const given = options?.dir;
  if (typeof given !== 'string' || given.length === 0) {
    throw new TypeError(`loadCifar10: dir must name the CIFAR-10 directory; ${WHERE_TO_GET}`);
  }
  const perBatch = options.recordsPerBatch ?? OFFICIAL_RECORDS_PER_BATCH;
  if (typeof perBatch !== 'number' || !Number.isSafeInteger(perBatch) || perBatch < 1) {
    const Kind = typeof perBatch === 'number' ? RangeError : TypeError;
    throw new Kind(
      `loadCifar10: recordsPerBatch must be a positive integer (records per batch file; default ${OFFICIAL_RECORDS_PER_BATCH}, the official count), got ${String(perBatch)}`,
    );
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
  const paths = names.map((f) => join(dir, f));
  const contents = await Promise.all(paths.map((path) => readBytes(path, WHERE_TO_GET)));
  // every size is checked before anything is allocated from recordsPerBatch
  contents.forEach((bytes, k) => {
    checkRecordCount(bytes, paths[k]!, perBatch);
  });
  const trainFiles = CIFAR10_FILE_NAMES.train.length;
  const images = new Uint8Array(trainFiles * perBatch * 3 * PLANE);
  const labels = new Uint8Array(trainFiles * perBatch);
  for (let k = 0; k < trainFiles; k++) {
    decodeRecords(contents[k]!, paths[k]!, images, labels, k * perBatch);
  }
  const train = cifarDataset('cifar10/train', images, labels);
  const test = parseCifar10Batch(contents[trainFiles]!, paths[trainFiles]!, 'cifar10/test');
  const provenance = filesProvenance(
    dir,
    paths.map((path, k) => ({ path, raw: contents[k]! })),
  );
  return { train, test, source: `CIFAR-10 binary files in ${dir}`, provenance };
}

/**
 * Decodes the records of `bytes` (a whole number of them) into `images` (HWC) and `labels`
 * from image `first` on; a label above 9 is a {@link DataFileError} naming `file`.
 */
function decodeRecords(
  bytes: Uint8Array,
  file: string,
  images: Uint8Array,
  labels: Uint8Array,
  first: number,
): void {
  const count = bytes.length / RECORD;
  for (let n = 0; n < count; n++) {
    const record = n * RECORD;
    const label = bytes[record]!;
    if (label > 9) {
      throw new DataFileError(
        file,
        `record ${n} (byte ${record}) has label ${label}, expected 0–9: not a CIFAR-10 batch (CIFAR-100 records have 2 label bytes)`,
      );
    }
    labels[first + n] = label;
    const out = (first + n) * 3 * PLANE;
    for (let c = 0; c < 3; c++) {
      const plane = record + 1 + c * PLANE;
      for (let p = 0; p < PLANE; p++) images[out + 3 * p + c] = bytes[plane + p]!;
    }
  }
}

/** Throws unless `bytes` holds exactly `expected` records; the message names `file`. */
function checkRecordCount(bytes: Uint8Array, file: string, expected: number): void {
  const records = Math.floor(bytes.length / RECORD);
  const whole = bytes.length % RECORD === 0;
  if (whole && records === expected) return;
  const hint =
    expected === OFFICIAL_RECORDS_PER_BATCH
      ? `every official CIFAR-10 batch file holds ${OFFICIAL_RECORDS_PER_BATCH} records of ${RECORD} bytes (a cut download or extraction?); recordsPerBatch sets another count for a smaller set`
      : `recordsPerBatch is ${expected}`;
  let found: string;
  if (bytes.length === 0) found = 'empty file: 0 records';
  else if (!whole) found = `truncated or not a CIFAR-10 binary batch: ${notWhole(bytes)}`;
  else if (records < expected) found = `truncated: ${records} records (${bytes.length} bytes)`;
  else found = `${records} records (${bytes.length} bytes)`;
  throw new DataFileError(file, `${found}, expected ${expected} records (${hint})`);
}

/** What a byte count that is not a whole number of records holds. */
function notWhole(bytes: Uint8Array): string {
  return `${bytes.length} bytes is not a whole number of ${RECORD}-byte records (${Math.floor(bytes.length / RECORD)} records and ${bytes.length % RECORD} bytes)`;
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
