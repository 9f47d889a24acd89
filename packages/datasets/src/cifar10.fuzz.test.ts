import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fuzzParameters, mutate, mutationsArb } from '@bregman/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CIFAR10_FILE_NAMES, loadCifar10, parseCifar10Batch, readCifar10Batch } from './cifar10.js';
import type { ImageDataset } from './dataset.js';
import { encodeCifarBatch, tempDir } from './files.test-helper.js';
import { expectDataFileError, largestAllocation } from './fuzz.test-helper.js';
import type { TrainTestData } from './train-test.js';

const RECORD = 3073;
const root = tempDir();

/** A valid batch of 1–3 records with labels 0–9. */
const batchArb = fc
  .array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 3 })
  .chain((labels) => fc.nat(255).map((first) => encodeCifarBatch(labels, first)));

/** Fails unless `batch`, parsed from the file `bytes`, holds exactly its records, in HWC. */
function expectDecoded(batch: ImageDataset, bytes: Uint8Array): void {
  expect(batch.count * RECORD).toBe(bytes.length);
  expect([batch.height, batch.width, batch.channels]).toEqual([32, 32, 3]);
  expect(batch.images.length).toBe(batch.count * 3072);
  for (let n = 0; n < batch.count; n++) {
    expect(batch.labels[n]).toBe(bytes[n * RECORD]);
    for (let p = 0; p < 1024; p++) {
      for (let c = 0; c < 3; c++) {
        if (batch.images[n * 3072 + 3 * p + c] !== bytes[n * RECORD + 1 + c * 1024 + p]) {
          expect.fail(`image ${n} pixel ${p} channel ${c} is not the byte of its plane`);
        }
      }
    }
  }
}

describe('parseCifar10Batch under fuzzing', () => {
  it('mutated batches: loads every record, or a DataFileError; allocates no more than the file', () => {
    fc.assert(
      fc.property(batchArb, mutationsArb, (batch, mutations) => {
        const bytes = mutate(batch, mutations);
        const file = 'fuzz.bin';
        const { largest, result, error } = largestAllocation(() => parseCifar10Batch(bytes, file));
        expect(largest).toBeLessThanOrEqual(bytes.length);
        if (error !== undefined) expectDataFileError(error, file);
        else expectDecoded(result!, bytes);
      }),
      fuzzParameters(200),
    );
  });

  it('readCifar10Batch: the same from files', async () => {
    const dir = join(root, 'batches');
    mkdirSync(dir);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(batchArb, mutationsArb, async (batch, mutations) => {
        const bytes = mutate(batch, mutations);
        const file = join(dir, `fuzz-${n++}.bin`);
        writeFileSync(file, bytes);
        let loaded: ImageDataset;
        try {
          loaded = await readCifar10Batch(file);
        } catch (error) {
          expectDataFileError(error, file);
          return;
        }
        expectDecoded(loaded, bytes);
      }),
      fuzzParameters(60),
    );
  });
});

describe('loadCifar10 under fuzzing', () => {
  const PER_BATCH = 2;
  const names = [...CIFAR10_FILE_NAMES.train, CIFAR10_FILE_NAMES.test];

  it('one mutated file of six: a DataFileError naming it, unless still 2 valid records', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: names.length - 1 }),
        mutationsArb,
        async (which, mutations) => {
          const dir = join(root, `set-${n++}`);
          mkdirSync(dir);
          const contents = names.map((_, f) => encodeCifarBatch([f, (f + 3) % 10], 2 * f));
          contents[which] = mutate(contents[which]!, mutations);
          names.forEach((name, f) => {
            writeFileSync(join(dir, name), contents[f]!);
          });
          let data: TrainTestData;
          try {
            data = await loadCifar10({ dir, recordsPerBatch: PER_BATCH });
          } catch (error) {
            expectDataFileError(error, join(dir, names[which]!));
            return;
          }
          // loaded: every file holds exactly 2 records, nothing was cut or skipped
          expect(contents[which]!.length).toBe(PER_BATCH * RECORD);
          expect([data.train.count, data.test.count]).toEqual([10, 2]);
          const train = new Uint8Array(10 * RECORD);
          contents.slice(0, 5).forEach((bytes, f) => {
            train.set(bytes, f * PER_BATCH * RECORD);
          });
          expectDecoded(data.train, train);
          expectDecoded(data.test, contents[5]!);
          expect(data.provenance).toEqual({
            kind: 'files',
            dir,
            files: names.map((name, f) => ({
              name,
              bytes: contents[f]!.length,
              sha256: createHash('sha256').update(contents[f]!).digest('hex'),
            })),
          });
        },
      ),
      fuzzParameters(40),
    );
  });

  it('any other recordsPerBatch: a DataFileError before allocating for it', async () => {
    const dir = join(root, 'counts');
    mkdirSync(dir);
    for (const name of names) writeFileSync(join(dir, name), encodeCifarBatch([1, 2]));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.integer({ min: 3, max: Number.MAX_SAFE_INTEGER }), fc.constant(1)),
        async (recordsPerBatch) => {
          const error = await loadCifar10({ dir, recordsPerBatch }).catch((e: unknown) => e);
          expectDataFileError(error, join(dir, names[0]!));
        },
      ),
      fuzzParameters(30),
    );
  });
});
