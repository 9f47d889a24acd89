import { checkSeed } from './validation.js';

/**
 * A deterministic generator of floats in `[0, 1)` for `seed` (an integer in `[0, 2³²)`):
 * sfc32 seeded by splitmix32. Same seed, same sequence, on every platform.
 */
export function seededRandom(seed: number): () => number {
  checkSeed('seededRandom: seed', seed);
  let s = seed >>> 0;
  const splitmix = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 2 ** 32;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

/**
 * Makes every unseeded random draw of tfjs repeatable: tfjs takes the seed of an unseeded
 * `tf.random*` op, of the layer initializers, of dropout and of `model.fit`'s shuffling from
 * `Math.random`, which this replaces with {@link seededRandom}`(seed)`. Returns a function that
 * puts the previous `Math.random` back. Results repeat on the same backend (backends round
 * differently).
 *
 * @example
 * ```ts
 * const restore = setGlobalSeed(42);
 * const model = buildModel(); // same initial weights on every run
 * restore();
 * ```
 */
export function setGlobalSeed(seed: number): () => void {
  checkSeed('setGlobalSeed: seed', seed);
  const previous = Math.random;
  Math.random = seededRandom(seed);
  return () => {
    Math.random = previous;
  };
}
