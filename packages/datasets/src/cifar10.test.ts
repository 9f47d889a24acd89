import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CIFAR10_FILE_NAMES, loadCifar10, parseCifar10Batch, readCifar10Batch } from './cifar10.js';
import { DataFileError } from './data-file-error.js';
import { cifarPixel, encodeCifarBatch, tempDir } from './files.test-helper.js';

/** Writes the six official files, `perFile` records each, into `dir`. */
function writeCifarDir(dir: string, perFile = 3) {
  mkdirSync(dir, { recursive: true });
  const names = [1, 2, 3, 4, 5].map((k) => `data_batch_${k}.bin`);
  names.forEach((name, f) => {
    const labels = Array.from({ length: perFile }, (_, k) => (f * perFile + k) % 10);
    writeFileSync(join(dir, name), encodeCifarBatch(labels, f * perFile));
  });
  const testLabels = Array.from({ length: perFile }, (_, k) => 9 - k);
  writeFileSync(join(dir, 'test_batch.bin'), encodeCifarBatch(testLabels, 1000));
}

describe('CIFAR-10 binary reader', () => {
  it('converts the CHW records to HWC images', () => {
    const batch = parseCifar10Batch(encodeCifarBatch([3, 7]), 'b.bin');
    expect([batch.count, batch.height, batch.width, batch.channels]).toEqual([2, 32, 32, 3]);
    expect(Array.from(batch.labels)).toEqual([3, 7]);
    // hand-checked pixels: image 0, row 0, col 0 is (0, 101, 202); image 1, row 2, col 1 is
    // (37 + 22 + 5, 37 + 22 + 5 + 101, 37 + 22 + 5 + 202) = (64, 165, 10 (266 mod 256))
    expect(Array.from(batch.images.subarray(0, 3))).toEqual([0, 101, 202]);
    const at = 3072 + (2 * 32 + 1) * 3;
    expect(Array.from(batch.images.subarray(at, at + 3))).toEqual([64, 165, 10]);
    // and every pixel: images[n][r][c][ch] = value written at plane ch, row r, col c
    for (let n = 0; n < 2; n++) {
      for (let r = 0; r < 32; r++) {
        for (let c = 0; c < 32; c++) {
          for (let ch = 0; ch < 3; ch++) {
            const got = batch.images[n * 3072 + (r * 32 + c) * 3 + ch];
            if (got !== cifarPixel(n, r, c, ch)) {
              expect.fail(
                `image ${n} (${r}, ${c}) channel ${ch}: ${got} ≠ ${cifarPixel(n, r, c, ch)}`,
              );
            }
          }
        }
      }
    }
    expect(batch.classNames?.[3]).toBe('cat');
  });

  it('rejects truncated files, empty files and labels above 9, naming the file', async () => {
    const full = encodeCifarBatch([1, 2]);
    expect(() => parseCifar10Batch(full.subarray(0, full.length - 1), 'cut.bin')).toThrow(
      'cut.bin: truncated or not a CIFAR-10 binary batch: 6145 bytes is not a whole number of 3073-byte records (1 records and 3072 bytes)',
    );
    expect(() => parseCifar10Batch(new Uint8Array(0), 'empty.bin')).toThrow(
      'empty.bin: empty file',
    );
    const bad = Uint8Array.from(full);
    bad[3073] = 12;
    expect(() => parseCifar10Batch(bad, 'bad.bin')).toThrow(
      /bad\.bin: record 1 \(byte 3073\) has label 12, expected 0–9/,
    );
    const dir = tempDir();
    const error = await readCifar10Batch(join(dir, 'x.bin')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataFileError);
    expect((error as Error).message).toMatch(
      /x\.bin: file not found; get the "CIFAR-10 binary version/,
    );
  });
});

describe('loadCifar10', () => {
  it('concatenates the five training batches in order and reads the test batch', async () => {
    const dir = join(tempDir(), 'cifar-10-batches-bin');
    writeCifarDir(dir, 3);
    for (const given of [dir, join(dir, '..')]) {
      const { train, test, source, provenance } = await loadCifar10({
        dir: given,
        recordsPerBatch: 3,
      });
      expect(source).toBe(`CIFAR-10 binary files in ${dir}`);
      // the six files as read, relative to the directory they were found in
      const names = [...CIFAR10_FILE_NAMES.train, CIFAR10_FILE_NAMES.test];
      expect(provenance).toEqual({
        kind: 'files',
        dir,
        files: names.map((name) => ({
          name,
          bytes: statSync(join(dir, name)).size,
          sha256: createHash('sha256')
            .update(readFileSync(join(dir, name)))
            .digest('hex'),
        })),
      });
      expect([train.count, test.count]).toEqual([15, 3]);
      expect(Array.from(train.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4]);
      expect(Array.from(test.labels)).toEqual([9, 8, 7]);
      // image 7 of the training set is the second record of data_batch_3.bin
      const at = 7 * 3072 + (5 * 32 + 9) * 3;
      expect(Array.from(train.images.subarray(at, at + 3))).toEqual(
        [0, 1, 2].map((ch) => cifarPixel(7, 5, 9, ch)),
      );
      expect(test.images[0]).toBe(cifarPixel(1000, 0, 0, 0));
    }
  });

  it('says where to get the data when the directory or a file is missing', async () => {
    const dir = tempDir();
    await expect(loadCifar10({ dir: join(dir, 'nowhere') })).rejects.toThrow(
      /nowhere: CIFAR-10 directory not found; get the "CIFAR-10 binary version \(suitable for C programs\)", cifar-10-binary\.tar\.gz, from https:\/\/www\.cs\.toronto\.edu\/~kriz\/cifar\.html/,
    );
    writeCifarDir(dir, 1);
    const { rmSync } = await import('node:fs');
    rmSync(join(dir, 'data_batch_4.bin'));
    await expect(loadCifar10({ dir, recordsPerBatch: 1 })).rejects.toThrow(
      /missing data_batch_4\.bin; get the/,
    );
    await expect(loadCifar10({} as { dir: string })).rejects.toThrow(/dir must name/);
  });
});

describe('loadCifar10 record counts', () => {
  it('refuses a batch cut on a record boundary, naming the file and both counts', async () => {
    const dir = tempDir();
    writeCifarDir(dir, 3);
    // data_batch_2.bin cut after 2 of its 3 records: a whole number of records, still refused
    const cut = join(dir, 'data_batch_2.bin');
    writeFileSync(cut, readFileSync(cut).subarray(0, 2 * 3073));
    const error = await loadCifar10({ dir, recordsPerBatch: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataFileError);
    expect((error as DataFileError).file).toBe(cut);
    expect((error as Error).message).toBe(
      `${cut}: truncated: 2 records (6146 bytes), expected 3 records (recordsPerBatch is 3)`,
    );
    // a file cut inside a record, and one with a record too many
    writeFileSync(cut, encodeCifarBatch([1, 2, 3]).subarray(0, 3 * 3073 - 5));
    await expect(loadCifar10({ dir, recordsPerBatch: 3 })).rejects.toThrow(
      `${cut}: truncated or not a CIFAR-10 binary batch: 9214 bytes is not a whole number of 3073-byte records (2 records and 3068 bytes), expected 3 records (recordsPerBatch is 3)`,
    );
    writeFileSync(cut, encodeCifarBatch([1, 2, 3, 4]));
    await expect(loadCifar10({ dir, recordsPerBatch: 3 })).rejects.toThrow(
      `${cut}: 4 records (12292 bytes), expected 3 records (recordsPerBatch is 3)`,
    );
    writeFileSync(cut, new Uint8Array(0));
    await expect(loadCifar10({ dir, recordsPerBatch: 3 })).rejects.toThrow(
      `${cut}: empty file: 0 records, expected 3 records (recordsPerBatch is 3)`,
    );
  });

  it('expects the official 10,000 records per file by default', async () => {
    const dir = tempDir();
    writeCifarDir(dir, 1);
    await expect(loadCifar10({ dir })).rejects.toThrow(
      `${join(dir, 'data_batch_1.bin')}: truncated: 1 records (3073 bytes), expected 10000 records (every official CIFAR-10 batch file holds 10000 records of 3073 bytes (a cut download or extraction?); recordsPerBatch sets another count for a smaller set)`,
    );
  });

  it('rejects a recordsPerBatch that is not a positive integer', async () => {
    const dir = tempDir();
    writeCifarDir(dir, 1);
    for (const bad of [0, -3, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60, '3']) {
      const error = await loadCifar10({ dir, recordsPerBatch: bad as number }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(typeof bad === 'number' ? RangeError : TypeError);
      expect((error as Error).message).toBe(
        `loadCifar10: recordsPerBatch must be a positive integer (records per batch file; default 10000, the official count), got ${String(bad)}`,
      );
    }
  });
});
