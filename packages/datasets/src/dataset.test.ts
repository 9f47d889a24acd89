import { describe, expect, it } from 'vitest';
import { createDataset, head, labelCounts, subset } from './dataset.js';
import { toyDataset } from './toy-dataset.test-helper.js';

const make = () => toyDataset([0, 2, 2, 1, 2], [2, 2, 3], 4);

describe('createDataset', () => {
  it('derives the count and keeps the arrays', () => {
    const ds = make();
    expect(ds.count).toBe(5);
    expect(labelCounts(ds)).toEqual([1, 1, 3, 0]);
  });

  it('rejects inconsistent sizes, bad labels and bad dimensions, naming the dataset', () => {
    const base = {
      name: 'bad',
      images: new Uint8Array(8),
      labels: new Uint8Array(2),
      height: 2,
      width: 2,
      channels: 1,
      numClasses: 3,
    };
    expect(() => createDataset({ ...base, images: new Uint8Array(7) })).toThrow(
      'bad: images has 7 bytes, expected 2 labels × 2·2·1 = 8',
    );
    expect(() => createDataset({ ...base, labels: Uint8Array.from([0, 3]) })).toThrow(
      'bad: label 3 at index 1 is outside [0, 2]',
    );
    expect(() => createDataset({ ...base, height: 0 })).toThrow(
      'bad: height must be an integer ≥ 1, got 0',
    );
    expect(() => createDataset({ ...base, numClasses: 300 })).toThrow(/numClasses must be ≤ 256/);
    expect(() => createDataset({ ...base, classNames: ['a'] })).toThrow(
      'bad: classNames has 1 entries, expected numClasses = 3',
    );
  });
});

describe('subset and head', () => {
  it('copies the chosen images and labels in the given order', () => {
    const ds = make();
    const s = subset(ds, [4, 0, 4]);
    expect(s.count).toBe(3);
    expect(Array.from(s.labels)).toEqual([2, 0, 2]);
    expect(Array.from(s.images.subarray(0, 12))).toEqual(Array.from(ds.images.subarray(48, 60)));
    expect(Array.from(s.images.subarray(12, 24))).toEqual(Array.from(ds.images.subarray(0, 12)));
    expect(s.images.buffer).not.toBe(ds.images.buffer);
    expect(() => subset(ds, [5])).toThrow(
      'subset: indices[0] = 5 is not an image index of toy (0 … 4)',
    );
  });

  it('head shares memory and clamps to the count', () => {
    const ds = make();
    expect(head(ds, 2).count).toBe(2);
    expect(head(ds, 2).images.length).toBe(24);
    expect(head(ds, 2).images.buffer).toBe(ds.images.buffer);
    expect(head(ds, 99).count).toBe(5);
  });
});
