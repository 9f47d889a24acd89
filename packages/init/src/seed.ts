/**
 * A seed derived from `seed` and a list of integer salts (a 32-bit integer hash):
 * independent random streams for the parts of one draw (mask and values) and for the
 * layers of one model, all reproducible from a single user seed.
 *
 * tfjs seeds its generators with `alea(String(seed))`, so two different integers give
 * unrelated streams, while one seed reused for a mask and its values would correlate them.
 *
 * @param seed - an integer.
 * @param salts - integers that tell the derived streams apart (e.g. the layer index).
 * @returns an integer in `[0, 2³²)`.
 */
export function deriveSeed(seed: number, ...salts: number[]): number {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 2 ** 32) >>> 0;
  let h = mix(lo ^ 0x9e3779b9, hi);
  for (const salt of salts) h = mix(h, salt >>> 0);
  return h >>> 0;
}

/** One round of a murmur3-style finalizer over `h` combined with `k`. */
function mix(h: number, k: number): number {
  let x = Math.imul(h ^ k, 0x85ebca6b) ^ 0x5bd1e995;
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  x = Math.imul(x + k, 0x27d4eb2f);
  x ^= x >>> 15;
  return x >>> 0;
}
