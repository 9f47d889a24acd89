import { describe, expect, it } from 'vitest';
import { deriveSeed } from './seed.js';

describe('deriveSeed', () => {
  it('is deterministic, a 32-bit unsigned integer, and tells seeds and salts apart', () => {
    expect(deriveSeed(42, 3, 0)).toBe(deriveSeed(42, 3, 0));
    const seen = new Set<number>();
    for (let seed = 0; seed < 50; seed++) {
      for (let layer = 0; layer < 20; layer++) {
        for (const part of [0, 1]) {
          const s = deriveSeed(seed, layer, part);
          expect(Number.isInteger(s) && s >= 0 && s < 2 ** 32).toBe(true);
          seen.add(s);
        }
      }
    }
    expect(seen.size).toBe(2000);
    expect(deriveSeed(1, 2)).not.toBe(deriveSeed(2, 1));
    expect(deriveSeed(2 ** 40)).not.toBe(deriveSeed(0));
  });
});
