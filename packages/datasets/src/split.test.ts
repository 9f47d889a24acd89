import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitDataset } from './split.js';
import { toyDataset } from './toy-dataset.test-helper.js';

const make = (n: number) =>
  toyDataset(
    Array.from({ length: n }, (_, i) => i % 10),
    [1, 1, 1],
    10,
  );

describe('splitDataset', () => {
  it('gives disjoint parts that cover the set, ascending, and carry their images', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 400 })
          .chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n }), fc.integer())),
        ([n, v, seed]) => {
          const ds = make(n);
          const { train, validation, trainIndices, validationIndices } = splitDataset(ds, {
            validationSize: v,
            seed,
          });
          expect([train.count, validation.count]).toEqual([n - v, v]);
          const all = [...trainIndices, ...validationIndices].sort((a, b) => a - b);
          expect(all).toEqual(Array.from({ length: n }, (_, i) => i));
          expect([...trainIndices]).toEqual([...trainIndices].sort((a, b) => a - b));
          trainIndices.forEach((i, k) => {
            expect(train.labels[k]).toBe(ds.labels[i]);
            expect(train.images[k]).toBe(ds.images[i]);
          });
        },
      ),
      { numRuns: 50 },
    );
  });

  it('is reproducible by seed and changes with the seed', () => {
    const ds = make(1000);
    const a = splitDataset(ds, { validationSize: 100, seed: 1 }).validationIndices;
    const b = splitDataset(ds, { validationSize: 100, seed: 1 }).validationIndices;
    const c = splitDataset(ds, { validationSize: 100, seed: 2 }).validationIndices;
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    // uniformly spread: the held-out indices are not a block
    expect(a[0]!).toBeLessThan(100);
    expect(a[99]!).toBeGreaterThan(900);
  });

  it('rejects a validation size it cannot honour', () => {
    const ds = make(10);
    expect(() => splitDataset(ds, { validationSize: 11, seed: 0 })).toThrow(
      'splitDataset: validationSize must be ≤ the 10 images of toy, got 11',
    );
    expect(() => splitDataset(ds, { validationSize: 1.5, seed: 0 })).toThrow(
      'splitDataset: validationSize must be an integer ≥ 0, got 1.5',
    );
    expect(() => splitDataset(ds, { validationSize: 1, seed: Number.NaN })).toThrow(
      'splitDataset: seed must be a safe integer, got NaN',
    );
  });
});
