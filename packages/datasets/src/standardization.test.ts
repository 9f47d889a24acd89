import { describe, expect, it } from 'vitest';
import { createDataset } from './dataset.js';
import { addGaussianNoise } from './noise.js';
import { computeStandardization } from './standardization.js';
import { toFloat32 } from './to-float32.js';

const rgb = createDataset({
  name: 'rgb',
  images: Uint8Array.from({ length: 7 * 4 * 5 * 3 }, (_, i) => (i * i * 7 + i) % 256),
  labels: new Uint8Array(7),
  height: 4,
  width: 5,
  channels: 3,
  numClasses: 1,
});

function direct(values: number[]) {
  const x = values.map((v) => v / 255);
  const mean = x.reduce((s, v) => s + v, 0) / x.length;
  const std = Math.sqrt(x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length);
  return { mean, std };
}

describe('computeStandardization', () => {
  it('matches a direct two-pass computation per channel and over all channels', () => {
    const pixels = Array.from(rgb.images);
    const stats = computeStandardization(rgb);
    for (let c = 0; c < 3; c++) {
      const d = direct(pixels.filter((_, i) => i % 3 === c));
      expect(stats.mean[c]).toBeCloseTo(d.mean, 12);
      expect(stats.std[c]).toBeCloseTo(d.std, 12);
    }
    const all = computeStandardization(rgb, { perChannel: false });
    const d = direct(pixels);
    expect(all.mean).toHaveLength(1);
    expect(all.mean[0]).toBeCloseTo(d.mean, 12);
    expect(all.std[0]).toBeCloseTo(d.std, 12);
  });
});

describe('toFloat32', () => {
  it('scales to [0, 1] and standardizes per channel', () => {
    const plain = toFloat32(rgb);
    expect(plain[5]).toBeCloseTo(rgb.images[5]! / 255, 6);
    const stats = { mean: [0.1, 0.2, 0.3], std: [0.5, 0.25, 2] };
    const std = toFloat32(rgb, { standardize: stats });
    for (const i of [0, 1, 2, 31, 59, 119]) {
      const c = i % 3;
      expect(std[i]).toBeCloseTo((rgb.images[i]! / 255 - stats.mean[c]!) / stats.std[c]!, 5);
    }
    // standardized with its own statistics: mean 0 and std 1 per channel
    const own = toFloat32(rgb, { standardize: computeStandardization(rgb) });
    for (let c = 0; c < 3; c++) {
      const xs = Array.from(own).filter((_, i) => i % 3 === c);
      const m = xs.reduce((s, v) => s + v, 0) / xs.length;
      const s = Math.sqrt(xs.reduce((a, v) => a + (v - m) ** 2, 0) / xs.length);
      expect(m).toBeCloseTo(0, 5);
      expect(s).toBeCloseTo(1, 5);
    }
  });

  it('rejects statistics that do not fit', () => {
    expect(() => toFloat32(rgb, { standardize: { mean: [0, 0], std: [1, 1] } })).toThrow(
      'toFloat32(rgb): standardize.mean must be an array of 1 or 3 (channels) numbers, got [0,0]',
    );
    expect(() => toFloat32(rgb, { standardize: { mean: [0], std: [0] } })).toThrow(
      'toFloat32(rgb): standardize.std must be finite and > 0, got [0,0,0]',
    );
  });
});

describe('addGaussianNoise', () => {
  it('adds seeded N(0, std²) noise and leaves the input alone', () => {
    const clean = new Float32Array(200_000).fill(0.5);
    const noisy = addGaussianNoise(clean, { std: 0.05, seed: 3 });
    expect(clean[0]).toBe(0.5);
    const d = Array.from(noisy, (v) => v - 0.5);
    const mean = d.reduce((s, v) => s + v, 0) / d.length;
    const std = Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / d.length);
    expect(Math.abs(mean)).toBeLessThan(0.0005);
    expect(std).toBeCloseTo(0.05, 3);
    expect(Array.from(addGaussianNoise(clean, { std: 0.05, seed: 3 }).subarray(0, 100))).toEqual(
      Array.from(noisy.subarray(0, 100)),
    );
    expect(addGaussianNoise(clean, { std: 0.05, seed: 4 })[0]).not.toBe(noisy[0]);
    expect(() => addGaussianNoise(clean, { std: -1, seed: 0 })).toThrow(
      'addGaussianNoise: std must be a finite number ≥ 0, got -1',
    );
  });
});
