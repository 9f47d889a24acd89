import { describe, expect, it } from 'vitest';
import { Rng } from './rng.js';

describe('Rng', () => {
  it('is reproducible per (seed, stream) and differs across seeds and streams', () => {
    const draw = (rng: Rng) => Array.from({ length: 8 }, () => rng.nextUint32());
    expect(draw(new Rng(5, 1, 2))).toEqual(draw(new Rng(5, 1, 2)));
    expect(draw(new Rng(5, 1, 2))).not.toEqual(draw(new Rng(5, 1, 3)));
    expect(draw(new Rng(5, 1, 2))).not.toEqual(draw(new Rng(6, 1, 2)));
    expect(draw(new Rng(5))).not.toEqual(draw(new Rng(5 + 2 ** 32)));
  });

  it('draws uniform numbers: mean ½, variance 1/12, every bucket of below(10) near 10 %', () => {
    const rng = new Rng(1);
    const n = 100_000;
    let sum = 0;
    let squares = 0;
    const buckets = new Array(10).fill(0);
    for (let i = 0; i < n; i++) {
      const u = rng.uniform();
      sum += u;
      squares += u * u;
      buckets[rng.below(10)]++;
    }
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(squares / n - sum ** 2 / n ** 2 - 1 / 12)).toBeLessThan(0.002);
    for (const b of buckets) expect(Math.abs(b / n - 0.1)).toBeLessThan(0.005);
  });

  it('draws standard normals: mean 0, variance 1, 68 % within one σ', () => {
    const values = new Float64Array(100_001);
    new Rng(3).fillNormal(values);
    const n = values.length;
    const mean = values.reduce((s, v) => s + v, 0) / n;
    const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
    const within = values.filter((v) => Math.abs(v) < 1).length / n;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.02);
    expect(Math.abs(within - 0.6827)).toBeLessThan(0.01);
    expect(values.every(Number.isFinite)).toBe(true);
  });
});
