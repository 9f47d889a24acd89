import { Rng } from '@bregman/core-prox';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { randomPermutation } from './random.js';

describe('randomPermutation', () => {
  it('is a permutation of 0 … n−1 for any n and seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 500 }), fc.integer(), (n, seed) => {
        const p = randomPermutation(n, new Rng(seed));
        expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      }),
    );
  });

  it('puts every element at every position about equally often', () => {
    const n = 5;
    const counts = Array.from({ length: n }, () => new Array(n).fill(0));
    const trials = 20_000;
    for (let t = 0; t < trials; t++) {
      const p = randomPermutation(n, new Rng(9, t));
      p.forEach((v, pos) => {
        counts[v]![pos]++;
      });
    }
    for (const row of counts)
      for (const c of row) expect(Math.abs(c / trials - 1 / n)).toBeLessThan(0.015);
  });
});
