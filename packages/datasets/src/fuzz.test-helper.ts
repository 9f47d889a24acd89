import fc from 'fast-check';
import { expect } from 'vitest';
import { DataFileError } from './data-file-error.js';

/**
 * The fast-check settings of every fuzz property here: a fixed seed (a failure reproduces
 * run after run, and its counterexample is printed) and a modest number of runs.
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

/**
 * A random truncation, bit flip, insertion of 1–16 random bytes, or deletion of 1–16 bytes;
 * bit flips weigh most, as they are the ones that can leave a file loadable.
 */
export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('flip' as const),
      at: fc.nat(),
      bit: fc.integer({ min: 0, max: 7 }),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('insert' as const),
      at: fc.nat(),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('delete' as const),
      at: fc.nat(),
      count: fc.integer({ min: 1, max: 16 }),
    }),
    weight: 1,
  },
);

/** One to three mutations, applied in order. */
export const mutationsArb = fc.array(mutationArb, { minLength: 1, maxLength: 3 });

/** None to three mutations: an intact file now and then. */
export const maybeMutationsArb = fc.array(mutationArb, { maxLength: 3 });

/** `bytes` (not modified) with `mutations` applied, as a new array. */
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

/** Fails unless `error` is a {@link DataFileError} about `file` whose message names it. */
export function expectDataFileError(error: unknown, file: string): void {
  if (!(error instanceof DataFileError)) {
    expect.fail(`expected a DataFileError for ${file}, got ${String(error)}`);
  }
  expect(error.file).toBe(file);
  expect(error.message.startsWith(`${file}: `)).toBe(true);
}

const TYPED_ARRAYS = [
  'ArrayBuffer',
  'Uint8Array',
  'Int8Array',
  'Uint16Array',
  'Int16Array',
  'Uint32Array',
  'Int32Array',
  'Float32Array',
  'Float64Array',
] as const;

/**
 * Runs the synchronous `f` while every `new ArrayBuffer(n)` / `new Uint8Array(n)` / … (and
 * `TypedArray.from`) of the code under test is logged, and returns the largest single
 * allocation in bytes (views over an existing buffer allocate nothing), with what `f`
 * returned or threw. The global constructors are restored afterwards.
 */
export function largestAllocation<T>(f: () => T): {
  largest: number;
  result?: T;
  error?: unknown;
} {
  let largest = 0;
  const global = globalThis as unknown as Record<string, unknown>;
  const saved = TYPED_ARRAYS.map((name) => [name, global[name]] as const);
  for (const [name, ctor] of saved) {
    const perElement =
      name === 'ArrayBuffer' ? 1 : (ctor as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
    global[name] = new Proxy(ctor as new (...args: unknown[]) => object, {
      construct(target, args, newTarget) {
        const first = args[0];
        const count =
          typeof first === 'number'
            ? first
            : first !== null && typeof first === 'object' && 'length' in first
              ? Number((first as { length: unknown }).length)
              : 0;
        largest = Math.max(largest, count * perElement);
        return Reflect.construct(target, args, newTarget);
      },
    });
  }
  try {
    const result = f();
    return { largest, result };
  } catch (error) {
    return { largest, error };
  } finally {
    for (const [name, ctor] of saved) global[name] = ctor;
  }
}
