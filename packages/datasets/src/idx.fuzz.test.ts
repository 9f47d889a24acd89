import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fuzzParameters, maybeMutationsArb, mutate, mutationsArb } from '@bregman/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataFileError } from './data-file-error.js';
import { encodeIdx, tempDir } from './files.test-helper.js';
import { expectDataFileError, largestAllocation } from './fuzz.test-helper.js';
import { type IdxArray, parseIdx, readIdx, readIdxFile } from './idx.js';
import { MAX_GZIP_INFLATED_BYTES } from './read-bytes.js';

const dir = tempDir();

/** A valid IDX file of 1–4 small dimensions (0–5 each) and random data. */
const idxArb = fc
  .array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 4 })
  .chain((dims) => {
    const size = dims.reduce((a, b) => a * b, 1);
    return fc.uint8Array({ minLength: size, maxLength: size }).map((data) => encodeIdx(dims, data));
  });

/** A dimension as a hostile header may claim it. */
const dimArb = fc.oneof(
  fc.constantFrom(0, 1, 0xffffffff, 0x80000000, 0x7fffffff),
  fc.integer({ min: 0, max: 8 }),
  fc.integer({ min: 0, max: 0xffffffff }),
);

/**
 * An IDX header of 1–255 dimensions claiming huge sizes (a run of huge dimensions, whose
 * product overflows even a double, followed by arbitrary ones, zeros included) and 0–64
 * bytes of data.
 */
const hugeHeaderArb = fc
  .tuple(
    fc.array(fc.constantFrom(0xffffffff, 0xfffffffe, 0x80000000), { maxLength: 200, size: 'max' }),
    fc.array(dimArb, { maxLength: 55, size: 'max' }),
    fc.uint8Array({ maxLength: 64 }),
  )
  .filter(([huge, rest]) => huge.length + rest.length >= 1)
  .map(([huge, rest, data]) => encodeIdx([...huge, ...rest], data));

/** Which number of dimensions the caller expects: any, labels (1) or images (3). */
const expectedDimsArb = fc.constantFrom(undefined, 1, 3);

/** Fails unless `idx`, parsed from the file `bytes`, is consistent with it. */
function expectConsistent(idx: IdxArray, bytes: Uint8Array, expectedDims?: number): void {
  const headerSize = 4 + 4 * idx.dims.length;
  expect([bytes[0], bytes[1], bytes[2], bytes[3]]).toEqual([0, 0, 8, idx.dims.length]);
  if (expectedDims !== undefined) expect(idx.dims.length).toBe(expectedDims);
  const product = idx.dims.reduce((a, b) => a * BigInt(b), 1n);
  expect(product).toBe(BigInt(idx.data.length));
  expect(headerSize + idx.data.length).toBe(bytes.length);
  expect(Buffer.compare(idx.data, bytes.subarray(headerSize))).toBe(0);
}

/**
 * The property for one input: `parseIdx` loads a consistent array or throws a
 * DataFileError naming the file, and allocates nothing larger than the input.
 */
function checkParse(bytes: Uint8Array, expectedDims: number | undefined): void {
  const file = 'fuzz.idx';
  const { largest, result, error } = largestAllocation(() => parseIdx(bytes, file, expectedDims));
  expect(largest).toBeLessThanOrEqual(bytes.length);
  if (error !== undefined) expectDataFileError(error, file);
  else expectConsistent(result!, bytes, expectedDims);
}

describe('parseIdx under fuzzing', () => {
  it('mutated files (truncations, bit flips, insertions, deletions): loads or DataFileError', () => {
    fc.assert(
      fc.property(idxArb, mutationsArb, expectedDimsArb, (idx, mutations, expectedDims) => {
        checkParse(mutate(idx, mutations), expectedDims);
      }),
      fuzzParameters(400),
    );
  });

  it('headers claiming huge sizes (up to 255 dimensions of up to 2^32 − 1)', () => {
    fc.assert(
      fc.property(hugeHeaderArb, expectedDimsArb, (bytes, expectedDims) => {
        checkParse(bytes, expectedDims);
      }),
      fuzzParameters(400),
    );
  });

  it('counts exactly past 2^53 and past a double (regressions)', () => {
    // 40 dimensions of 2^32 − 1 overflow a double to Infinity; × 0 made the size NaN, and
    // the 5 trailing bytes were silently dropped
    const nan = [...new Array<number>(40).fill(0xffffffff), 0];
    expect(() => parseIdx(encodeIdx(nan, [1, 2, 3, 4, 5]), 'nan.idx')).toThrow(
      /^nan\.idx: 5 trailing bytes after the 4294967295 × 4294967295 × 4294967295 × 4294967295 × … × 4294967295 × 0 \(41 dimensions\) = 0 bytes/,
    );
    const empty = parseIdx(encodeIdx(nan, []), 'empty.idx');
    expect([empty.dims.length, empty.data.length]).toEqual([41, 0]);
    // beyond Number.MAX_SAFE_INTEGER: the exact product, not 55340232195358850000
    expect(() =>
      parseIdx(encodeIdx([0xffffffff, 0xffffffff, 3], new Uint8Array(12)), 'big.idx', 3),
    ).toThrow(
      'big.idx: truncated: the header promises 4294967295 × 4294967295 × 3 = 55340232195358851075 bytes of data, the file has 12',
    );
    // 255 dimensions: the size in scientific notation
    expect(() => parseIdx(encodeIdx(new Array(255).fill(0xffffffff), []), 'max.idx')).toThrow(
      /^max\.idx: truncated: the header promises .* \(255 dimensions\) = 2\.539e\+2456 bytes of data, the file has 0$/,
    );
  });
});

/** How a fuzzed file is stored. */
const storageArb = fc.constantFrom('plain', 'gzip', 'mutated gzip');

describe('readIdx (plain and gzip files) under fuzzing', () => {
  it('loads a consistent array or throws a DataFileError naming the file', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(idxArb, hugeHeaderArb),
        maybeMutationsArb,
        storageArb,
        expectedDimsArb,
        async (idx, mutations, storage, expectedDims) => {
          const file = join(dir, `fuzz-${n++}`);
          // plain: the mutated file; gzip: the mutated file compressed; mutated gzip: the
          // compressed file, mutated (a gzip stream that still inflates, or not)
          const content = storage === 'mutated gzip' ? idx : mutate(idx, mutations);
          const stored =
            storage === 'plain'
              ? content
              : storage === 'gzip'
                ? gzipSync(content)
                : mutate(gzipSync(content), mutations);
          writeFileSync(file, stored);
          let loaded: IdxArray;
          try {
            loaded = await readIdx(file, expectedDims);
          } catch (error) {
            expectDataFileError(error, file);
            return;
          }
          // what loads is what was written: a corrupt gzip stream never inflates to other data
          expectConsistent(loaded, content, expectedDims);
        },
      ),
      fuzzParameters(150),
    );
  });
});

describe('gzip bombs', () => {
  /**
   * A gzip file of `members` concatenated copies of 1 MiB of zeros compressed (a valid
   * multi-member stream): 64 MiB inflated from about 64 KiB, built without allocating 64 MiB.
   */
  function bomb(members: number): Uint8Array {
    const member = gzipSync(new Uint8Array(1024 * 1024));
    const out = new Uint8Array(member.length * members);
    for (let k = 0; k < members; k++) out.set(member, k * member.length);
    return out;
  }

  it('stops inflating at the cap and names the file and the cap', async () => {
    const file = join(dir, 'bomb.gz');
    const bytes = bomb(64);
    expect(bytes.length).toBeLessThan(128 * 1024);
    writeFileSync(file, bytes);
    const error = await readIdxFile(file, 3, 1024 * 1024).catch((e: unknown) => e);
    expectDataFileError(error, file);
    expect((error as DataFileError).problem).toMatch(
      /^gzip data inflates to more than 1048576 bytes \(1 MiB\), the cap on a compressed data file: not an MNIST \/ Fashion-MNIST file \(the largest inflates to 47040016 bytes\), or a gzip bomb$/,
    );
  });

  it('the cap is inclusive, and 256 MiB by default', async () => {
    const idx = encodeIdx([10, 10, 10], new Uint8Array(1000)); // 1,016 bytes
    const file = join(dir, 'at-cap.gz');
    writeFileSync(file, gzipSync(idx));
    expect((await readIdxFile(file, 3, idx.length)).idx.dims).toEqual([10, 10, 10]);
    await expect(readIdxFile(file, 3, idx.length - 1)).rejects.toThrow(
      `${file}: gzip data inflates to more than 1015 bytes, the cap on a compressed data file`,
    );
    expect(MAX_GZIP_INFLATED_BYTES).toBe(256 * 1024 * 1024);
    // a file that is only a gzip header is corrupt, not a bomb
    const header = join(dir, 'header-only.gz');
    writeFileSync(header, gzipSync(idx).subarray(0, 10));
    expect((await readIdx(header).catch((e: unknown) => e)) as DataFileError).toBeInstanceOf(
      DataFileError,
    );
  });
});
