import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DataFileError } from './data-file-error.js';
import {
  encodeIdx,
  syntheticImages,
  tempDir,
  writeBytes,
  writeIdxSet,
} from './files.test-helper.js';
import { parseIdx, readIdx } from './idx.js';
import { readIdxDataset } from './idx-dataset.js';
import { loadIdxDirectory } from './mnist.js';

const dir = tempDir();
const { images, labels } = syntheticImages(6, 4, 3);

/** Runs `f` and returns the DataFileError it throws (failing the test otherwise). */
async function dataFileError(f: () => unknown): Promise<DataFileError> {
  try {
    await f();
  } catch (error) {
    expect(error).toBeInstanceOf(DataFileError);
    return error as DataFileError;
  }
  return expect.fail('expected a DataFileError');
}

describe('IDX reader', () => {
  it('reads plain and gzip files to the same dimensions and bytes', async () => {
    const plain = writeBytes(dir, 'a-images', encodeIdx([6, 4, 3], images));
    const gz = writeBytes(dir, 'a-images.gz', encodeIdx([6, 4, 3], images), true);
    for (const file of [plain, gz]) {
      const idx = await readIdx(file, 3);
      expect(idx.dims).toEqual([6, 4, 3]);
      expect(Array.from(idx.data)).toEqual(Array.from(images));
      expect(Object.getPrototypeOf(idx.data)).toBe(Uint8Array.prototype);
    }
    // gzip is detected by content, not name
    const gzNoExt = writeBytes(dir, 'b-labels', encodeIdx([6], labels), true);
    expect(Array.from((await readIdx(gzNoExt, 1)).data)).toEqual(Array.from(labels));
  });

  it('rejects a bad magic number, naming the file and the magic it found', async () => {
    const bytes = encodeIdx([6], labels);
    bytes[0] = 0x12;
    const file = writeBytes(dir, 'bad-magic', bytes);
    const error = await dataFileError(() => readIdx(file, 1));
    expect(error.file).toBe(file);
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/bad magic number 0x12000801/);
  });

  it('rejects labels where images are expected and the other way round', async () => {
    const labelsFile = writeBytes(dir, 'c-labels', encodeIdx([6], labels));
    const imagesFile = writeBytes(dir, 'c-images', encodeIdx([6, 4, 3], images));
    expect((await dataFileError(() => readIdx(labelsFile, 3))).problem).toMatch(
      /bad magic number 0x00000801: expected 0x00000803 \(images\)/,
    );
    expect((await dataFileError(() => readIdx(imagesFile, 1))).problem).toMatch(
      /bad magic number 0x00000803: expected 0x00000801 \(labels\)/,
    );
  });

  it('rejects non-byte IDX types and non-IDX data', () => {
    const float = encodeIdx([2], [0, 0, 0, 0, 0, 0, 0, 0]);
    float[2] = 0x0d;
    expect(() => parseIdx(float, 'f.idx')).toThrow(/type float32 is not supported/);
    expect(() => parseIdx(new TextEncoder().encode('hello world'), 'x.txt')).toThrow(
      /x\.txt: bad magic number 0x68656c6c: not an IDX file/,
    );
  });

  it('rejects truncated files: short header, short dimension list, short data', () => {
    const full = encodeIdx([6, 4, 3], images);
    expect(() => parseIdx(full.subarray(0, 3), 't1')).toThrow(/t1: truncated: 3 bytes/);
    expect(() => parseIdx(full.subarray(0, 10), 't2')).toThrow(
      /t2: truncated: 10 bytes, the header of a 3-dimensional IDX file needs 16/,
    );
    expect(() => parseIdx(full.subarray(0, full.length - 1), 't3')).toThrow(
      /t3: truncated: the header promises 6 × 4 × 3 = 72 bytes of data, the file has 71/,
    );
  });

  it('rejects trailing bytes', () => {
    const full = encodeIdx([6], labels);
    const longer = new Uint8Array(full.length + 2);
    longer.set(full);
    expect(() => parseIdx(longer, 'tr')).toThrow(/tr: 2 trailing bytes after the 6 = 6 bytes/);
  });

  it('rejects a truncated gzip stream and a missing file', async () => {
    const gz = gzipSync(encodeIdx([6, 4, 3], images));
    const file = join(dir, 'cut.gz');
    writeFileSync(file, gz.subarray(0, gz.length - 10));
    expect((await dataFileError(() => readIdx(file))).problem).toMatch(
      /corrupt or truncated gzip data/,
    );
    expect((await dataFileError(() => readIdx(join(dir, 'nope')))).problem).toBe('file not found');
  });
});

describe('readIdxDataset', () => {
  it('pairs images and labels into a one-channel dataset', async () => {
    const imagesFile = writeBytes(dir, 'd-images', encodeIdx([6, 4, 3], images));
    const labelsFile = writeBytes(dir, 'd-labels.gz', encodeIdx([6], labels), true);
    const ds = await readIdxDataset({ imagesFile, labelsFile, name: 'd' });
    expect([ds.count, ds.height, ds.width, ds.channels, ds.numClasses]).toEqual([6, 4, 3, 1, 10]);
    expect(Array.from(ds.labels)).toEqual(Array.from(labels));
    expect(Array.from(ds.images)).toEqual(Array.from(images));
  });

  it('rejects a count mismatch between images and labels, naming both files', async () => {
    const imagesFile = writeBytes(dir, 'e-images', encodeIdx([6, 4, 3], images));
    const labelsFile = writeBytes(dir, 'e-labels', encodeIdx([5], labels.subarray(0, 5)));
    const error = await dataFileError(() => readIdxDataset({ imagesFile, labelsFile, name: 'e' }));
    expect(error.file).toBe(labelsFile);
    expect(error.problem).toBe(`count mismatch: 5 labels but ${imagesFile} holds 6 images`);
  });

  it('rejects a label outside the classes', async () => {
    const imagesFile = writeBytes(dir, 'g-images', encodeIdx([6, 4, 3], images));
    const labelsFile = writeBytes(dir, 'g-labels', encodeIdx([6], [1, 2, 3, 10, 4, 5]));
    const error = await dataFileError(() => readIdxDataset({ imagesFile, labelsFile, name: 'g' }));
    expect(error.problem).toBe('label 10 at index 3 is outside [0, 9]');
  });
});

describe('loadIdxDirectory', () => {
  it('reads the four official file names, plain or .gz', async () => {
    for (const gzip of [false, true]) {
      const sub = tempDir();
      const written = writeIdxSet(sub, { gzip });
      const { train, test, source, provenance } = await loadIdxDirectory(sub, 'toy', [
        'a',
        'b',
        'c',
        'd',
        'e',
        'f',
        'g',
        'h',
        'i',
        'j',
      ]);
      expect(source).toBe(`IDX files in ${sub}`);
      expect(train.name).toBe('toy/train');
      expect([train.count, test.count, train.height, train.width]).toEqual([12, 5, 4, 3]);
      expect(Array.from(train.images)).toEqual(Array.from(written.train.images));
      expect(Array.from(test.labels)).toEqual(Array.from(written.test.labels));
      expect(train.classNames?.[1]).toBe('b');
      // each file as stored (compressed or not): its name in the directory, size and hash
      const ext = gzip ? '.gz' : '';
      expect(provenance).toEqual({
        kind: 'files',
        dir: sub,
        files: [
          'train-images-idx3-ubyte',
          'train-labels-idx1-ubyte',
          't10k-images-idx3-ubyte',
          't10k-labels-idx1-ubyte',
        ].map((base) => {
          const stored = readFileSync(join(sub, base + ext));
          const sha256 = createHash('sha256').update(stored).digest('hex');
          return { name: base + ext, bytes: stored.length, sha256 };
        }),
      });
    }
  });

  it('names the missing file and the expected names', async () => {
    const sub = tempDir();
    writeIdxSet(sub);
    const { rmSync } = await import('node:fs');
    rmSync(join(sub, 't10k-labels-idx1-ubyte'));
    expect(existsSync(join(sub, 't10k-images-idx3-ubyte'))).toBe(true);
    const error = await dataFileError(() =>
      loadIdxDirectory(sub, 'toy', ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']),
    );
    expect(error.file).toBe(sub);
    expect(error.problem).toMatch(/^no t10k-labels-idx1-ubyte or t10k-labels-idx1-ubyte\.gz/);
    expect(
      (await dataFileError(() => loadIdxDirectory(join(sub, 'absent'), 'toy', []))).problem,
    ).toBe('directory not found');
  });
});
