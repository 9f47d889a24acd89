import { Rng } from '@bregman/core-prox';
import { checkSeed } from './validation.js';

/**
 * A deterministic generator of floats in `[0, 1)` for `seed` (an integer in `[0, 2³²)`):
 * core-prox's `Rng` (xoshiro128**, the generator of the datasets' shuffles and splits). Same
 * seed, same sequence, on every platform.
 */
export function seededRandom(seed: number): () => number {
  checkSeed('seededRandom: seed', seed);
  const rng = new Rng(seed);
  return () => rng.uniform();
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
