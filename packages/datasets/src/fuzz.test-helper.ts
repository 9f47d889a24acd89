import { expectFileError } from '@bregman/test-utils';
import { expect } from 'vitest';
import { DataFileError } from './data-file-error.js';

/** Fails unless `error` is a {@link DataFileError} about `file` whose message starts with it. */
export function expectDataFileError(error: unknown, file: string): void {
  const { message } = expectFileError(error, DataFileError, { file });
  expect(message.startsWith(`${file}: `)).toBe(true);
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
