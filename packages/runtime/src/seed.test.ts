import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { seededRandom, setGlobalSeed } from './seed.js';

describe('seededRandom', () => {
  it('repeats for the same seed, differs across seeds, stays in [0, 1) and looks uniform', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const xs = Array.from({ length: 20_000 }, () => a());
    expect(Array.from({ length: 20_000 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(xs.slice(0, 5));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    const deciles = new Array(10).fill(0);
    for (const x of xs) deciles[Math.floor(x * 10)]++;
    for (const d of deciles) expect(Math.abs(d - 2000)).toBeLessThan(200);
  });

  it('refuses a seed that is not an integer in [0, 2^32)', () => {
    for (const bad of [-1, 1.5, 2 ** 32, Number.NaN]) {
      expect(() => seededRandom(bad)).toThrow(
        /seededRandom: seed must be an integer in \[0, 2\^32\)/,
      );
    }
    expect(() => setGlobalSeed(-3)).toThrow(/setGlobalSeed: seed must be an integer/);
  });
});

describe('setGlobalSeed', () => {
  const draw = () =>
    tf.tidy(() => {
      const layer = tf.layers.dense({ units: 4, inputShape: [3] });
      const model = tf.sequential({ layers: [layer] });
      const kernel = Array.from(layer.getWeights()[0]!.dataSync());
      const noise = Array.from(tf.randomNormal([5]).dataSync());
      model.dispose();
      return { kernel, noise };
    });

  it('makes unseeded tfjs randomness (initializers, tf.randomNormal) repeat, then restores Math.random', () => {
    const original = Math.random;
    let restore = setGlobalSeed(7);
    const first = draw();
    restore();
    expect(Math.random).toBe(original);
    restore = setGlobalSeed(7);
    const again = draw();
    restore();
    restore = setGlobalSeed(8);
    const other = draw();
    restore();
    expect(again).toEqual(first);
    expect(other.kernel).not.toEqual(first.kernel);
    expect(other.noise).not.toEqual(first.noise);
    expect(Math.random).toBe(original);
  });
});
