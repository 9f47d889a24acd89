import { Rng } from '@bregman/core-prox';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher.js';
import { createDataset, subset } from './dataset.js';
import { toFloat32 } from './to-float32.js';

const H = 6;
const W = 5;
const C = 2;
const N = 103;

function randomDataset() {
  const rng = new Rng(42);
  return createDataset({
    name: 'rand',
    images: Uint8Array.from({ length: N * H * W * C }, () => rng.below(256)),
    labels: Uint8Array.from({ length: N }, () => rng.below(4)),
    height: H,
    width: W,
    channels: C,
    numClasses: 4,
  });
}
const ds = randomDataset();
const stats = { mean: [0.4, 0.6], std: [0.2, 0.3] };

function allIndices(batcher: Batcher, epoch: number): number[] {
  const seen: number[] = [];
  for (const { x, y, indices } of batcher.batches(epoch)) {
    seen.push(...indices);
    tf.dispose([x, y]);
  }
  return seen;
}

describe('Batcher: order', () => {
  it('visits every image exactly once per epoch, in a seeded order per epoch', () => {
    const batcher = new Batcher(ds, { batchSize: 10, seed: 3 });
    expect(batcher.numBatches).toBe(11);
    const e0 = allIndices(batcher, 0);
    const e1 = allIndices(batcher, 1);
    const sorted = Array.from({ length: N }, (_, i) => i);
    expect([...e0].sort((a, b) => a - b)).toEqual(sorted);
    expect([...e1].sort((a, b) => a - b)).toEqual(sorted);
    expect(e0).not.toEqual(e1);
    expect(e0).not.toEqual(sorted);
    expect(allIndices(new Batcher(ds, { batchSize: 7, seed: 3 }), 1)).toEqual(e1);
    expect(allIndices(new Batcher(ds, { batchSize: 10, seed: 4 }), 1)).not.toEqual(e1);
    expect(Array.from(batcher.order(1))).toEqual(e1);
  });

  it('keeps the dataset order without shuffle, and drops the remainder when asked', () => {
    const plain = new Batcher(ds, { batchSize: 10, shuffle: false });
    expect(allIndices(plain, 5)).toEqual(Array.from({ length: N }, (_, i) => i));
    const sizes = [...plain.batches(0)].map(({ x, y }) => {
      tf.dispose([x, y]);
      return x.shape[0];
    });
    expect(sizes).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 3]);
    const dropping = new Batcher(ds, { batchSize: 10, dropRemainder: true });
    expect(dropping.numBatches).toBe(10);
    expect(allIndices(dropping, 0)).toHaveLength(100);
  });
});

describe('Batcher: contents', () => {
  it('x holds the standardized pixels of the batch images, y their one-hot labels', () => {
    const batcher = new Batcher(ds, { batchSize: 16, seed: 1, standardize: stats });
    const { x, y, indices } = batcher.batches(0).next().value!;
    expect(x.shape).toEqual([16, H, W, C]);
    expect(x.dtype).toBe('float32');
    expect(y.shape).toEqual([16, 4]);
    const expected = toFloat32(subset(ds, indices), { standardize: stats });
    const got = x.dataSync();
    for (let i = 0; i < expected.length; i++) {
      if (Math.abs(got[i]! - expected[i]!) > 1e-6)
        expect.fail(`x[${i}] = ${got[i]}, expected ${expected[i]}`);
    }
    const oneHot = y.arraySync() as number[][];
    oneHot.forEach((row, k) => {
      expect(row).toEqual([0, 1, 2, 3].map((c) => (c === ds.labels[indices[k]!] ? 1 : 0)));
    });
    tf.dispose([x, y]);
  });

  it('flattens x and gives int32 labels when asked', () => {
    const batcher = new Batcher(ds, { batchSize: 8, layout: 'flat', labelFormat: 'int' });
    const { x, y, indices } = batcher.batches(2).next().value!;
    expect(x.shape).toEqual([8, H * W * C]);
    expect(y.dtype).toBe('int32');
    expect(Array.from(y.dataSync())).toEqual(Array.from(indices, (i) => ds.labels[i]));
    const expected = toFloat32(subset(ds, indices));
    expect(Array.from(x.dataSync())).toEqual(Array.from(expected));
    tf.dispose([x, y]);
  });

  it('creates exactly two tensors per batch and leaks none once they are disposed', () => {
    const batcher = new Batcher(ds, { batchSize: 9, noiseStd: 0.1, target: 'image' });
    const before = tf.memory().numTensors;
    for (let epoch = 0; epoch < 3; epoch++) {
      for (const { x, y } of batcher.batches(epoch)) {
        expect(tf.memory().numTensors).toBe(before + 2);
        tf.dispose([x, y]);
      }
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('Batcher: denoising noise', () => {
  it('y is the clean image, x = y + noise of the asked std (in pixel units), seeded per epoch', () => {
    const big = subset(
      ds,
      Array.from({ length: 2000 }, (_, i) => i % N),
    );
    const make = () =>
      new Batcher(big, {
        batchSize: 2000,
        seed: 5,
        noiseStd: 0.05,
        target: 'image',
        standardize: stats,
        shuffle: false,
      });
    const batcher = make();
    const { x, y, indices } = batcher.batches(0).next().value!;
    expect(y.shape).toEqual(x.shape);
    const clean = toFloat32(subset(big, indices), { standardize: stats });
    const ys = y.dataSync();
    expect(Array.from(ys.subarray(0, 500))).toEqual(Array.from(clean.subarray(0, 500)));
    const xs = x.dataSync();
    for (let c = 0; c < C; c++) {
      // noise in standardized units is noiseStd / std[c]; back in pixel units it is 0.05
      const d: number[] = [];
      for (let i = c; i < xs.length; i += C) d.push((xs[i]! - ys[i]!) * stats.std[c]!);
      const mean = d.reduce((s, v) => s + v, 0) / d.length;
      const sd = Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / d.length);
      expect(Math.abs(mean)).toBeLessThan(0.001);
      expect(sd).toBeCloseTo(0.05, 3);
    }
    const again = make().batches(0).next().value!;
    const next = make().batches(1).next().value!;
    expect(Array.from(again.x.dataSync().subarray(0, 50))).toEqual(Array.from(xs.subarray(0, 50)));
    expect(next.x.dataSync()[0]).not.toBe(xs[0]);
    tf.dispose([x, y, again.x, again.y, next.x, next.y]);
  });
});

describe('Batcher: augmentation', () => {
  /** The image `index` shifted by (oy, ox), mirrored or not, zero-filled: as floats. */
  function transformed(index: number, oy: number, ox: number, mirrored: boolean): number[] {
    const out: number[] = [];
    for (let r = 0; r < H; r++) {
      for (let c = 0; c < W; c++) {
        const sr = r + oy;
        const sc = (mirrored ? W - 1 - c : c) + ox;
        for (let ch = 0; ch < C; ch++) {
          const inside = sr >= 0 && sr < H && sc >= 0 && sc < W;
          out.push(inside ? ds.images[index * H * W * C + (sr * W + sc) * C + ch]! / 255 : 0);
        }
      }
    }
    return out;
  }

  it('each image is a padded random crop of its source, mirrored about half the time', () => {
    const p = 2;
    const batcher = new Batcher(ds, {
      batchSize: N,
      seed: 8,
      augment: { cropPadding: p, horizontalFlip: true },
    });
    const { x, y, indices } = batcher.batches(0).next().value!;
    const xs = x.dataSync();
    const size = H * W * C;
    let mirroredCount = 0;
    const shifts = new Set<string>();
    indices.forEach((index, k) => {
      const got = Array.from(xs.subarray(k * size, (k + 1) * size), (v) => Math.round(v * 255));
      const matches: string[] = [];
      for (let oy = -p; oy <= p; oy++) {
        for (let ox = -p; ox <= p; ox++) {
          for (const m of [false, true]) {
            const want = transformed(index, oy, ox, m).map((v) => Math.round(v * 255));
            if (want.every((v, i) => v === got[i])) matches.push(`${oy},${ox},${m}`);
          }
        }
      }
      expect(matches, `image ${k}`).toHaveLength(1);
      if (matches[0]!.endsWith('true')) mirroredCount++;
      shifts.add(matches[0]!.split(',').slice(0, 2).join(','));
    });
    expect(mirroredCount).toBeGreaterThan(N * 0.3);
    expect(mirroredCount).toBeLessThan(N * 0.7);
    expect(shifts.size).toBeGreaterThan(15); // of the 25 possible offsets
    tf.dispose([x, y]);
  });
});

describe('Batcher: bad options', () => {
  it('names the option and the allowed values', () => {
    expect(() => new Batcher(ds, { batchSize: 0 })).toThrow(
      'Batcher: batchSize must be an integer ≥ 1, got 0',
    );
    expect(() => new Batcher(ds, { batchSize: 4, layout: 'nchw' as 'flat' })).toThrow(
      "Batcher: layout must be one of 'image', 'flat', got nchw",
    );
    expect(() => new Batcher(ds, { batchSize: 4, noiseStd: -0.1 })).toThrow(
      'Batcher: noiseStd must be a finite number ≥ 0, got -0.1',
    );
    expect(() => new Batcher(ds, { batchSize: 200, dropRemainder: true })).toThrow(
      /batchSize 200 with dropRemainder leaves no batch of the 103 images/,
    );
    expect(() => new Batcher(ds, { batchSize: 4, standardize: { mean: [0], std: [-1] } })).toThrow(
      'Batcher(rand): standardize.std must be finite and > 0, got [-1,-1]',
    );
    expect(() => new Batcher(ds, { batchSize: 4 }).order(-1)).toThrow(
      'Batcher.order: epoch must be an integer ≥ 0, got -1',
    );
  });
});
