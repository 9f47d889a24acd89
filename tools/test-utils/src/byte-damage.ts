import fc from 'fast-check';

/**
 * The fast-check settings of every fuzz property: a fixed seed (a failure reproduces run
 * after run, and its counterexample is printed) and `numRuns` runs.
 */
export function fuzzParameters(numRuns: number): fc.Parameters<unknown> {
  return { seed: 0x15_2024, numRuns };
}

/** One change to a file's bytes. Positions are taken modulo the length they apply to. */
export type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number };

/** The file cut short at a random position (possibly to nothing, possibly not at all). */
export const truncationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constant('truncate' as const),
  at: fc.nat(),
});

/** One bit flipped at a random position. */
export const bitFlipArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constant('flip' as const),
  at: fc.nat(),
  bit: fc.integer({ min: 0, max: 7 }),
});

/** 1–16 random bytes inserted at a random position. */
export const insertionArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constant('insert' as const),
  at: fc.nat(),
  bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
});

/** 1–16 bytes deleted from a random position (fewer where the file ends first). */
export const deletionArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constant('delete' as const),
  at: fc.nat(),
  count: fc.integer({ min: 1, max: 16 }),
});

/**
 * A random truncation, bit flip, insertion or deletion; bit flips weigh most, as they are
 * the ones that can leave a file loadable.
 */
export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: truncationArb, weight: 1 },
  { arbitrary: bitFlipArb, weight: 3 },
  { arbitrary: insertionArb, weight: 1 },
  { arbitrary: deletionArb, weight: 1 },
);

/** One to three mutations of any kind, applied in order. */
export const mutationsArb: fc.Arbitrary<Mutation[]> = fc.array(mutationArb, {
  minLength: 1,
  maxLength: 3,
});

/** None to three mutations: an intact file now and then. */
export const maybeMutationsArb: fc.Arbitrary<Mutation[]> = fc.array(mutationArb, {
  maxLength: 3,
});

/** One to eight bit flips and nothing else: the file keeps its length. */
export const bitFlipsArb: fc.Arbitrary<Mutation[]> = fc.array(bitFlipArb, {
  minLength: 1,
  maxLength: 8,
});

/**
 * `bytes` (not modified) with `mutations` applied in order, as a new array. A flip or
 * deletion of an empty array leaves it empty.
 */
export function mutate(bytes: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let out = Uint8Array.from(bytes);
  for (const m of mutations) {
    if (m.kind === 'truncate') {
      out = out.slice(0, m.at % (out.length + 1));
    } else if (m.kind === 'flip') {
      if (out.length > 0) out[m.at % out.length]! ^= 1 << m.bit;
    } else if (m.kind === 'insert') {
      const at = m.at % (out.length + 1);
      const grown = new Uint8Array(out.length + m.bytes.length);
      grown.set(out.subarray(0, at));
      grown.set(m.bytes, at);
      grown.set(out.subarray(at), at + m.bytes.length);
      out = grown;
    } else if (out.length > 0) {
      const at = m.at % out.length;
      const end = Math.min(out.length, at + m.count);
      const shrunk = new Uint8Array(out.length - (end - at));
      shrunk.set(out.subarray(0, at));
      shrunk.set(out.subarray(end), at);
      out = shrunk;
    }
  }
  return out;
}
