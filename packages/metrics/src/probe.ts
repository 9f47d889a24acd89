import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * A quantity computed on the device as a few float32 numbers and decoded into plain values
 * on the host (internal). Probes are concatenated so that several metrics cost one read.
 */
export interface Probe<T> {
  /** Builds the numbers as a 1-D tensor; called inside `tf.tidy`. */
  build(): Tensor;
  /** Turns the numbers `values[offset …]` into the result. */
  decode(values: ArrayLike<number>, offset: number): T;
  /** How many numbers {@link Probe.build} produces. */
  readonly length: number;
}

/** A probe of one scalar tensor. */
export function scalarProbe(build: () => Tensor): Probe<number> {
  return {
    length: 1,
    build: () => tf.reshape(build(), [1]),
    decode: (values, offset) => values[offset] as number,
  };
}

/** The probes' numbers as one 1-D tensor (the caller disposes it). */
function pack(probes: readonly Probe<unknown>[]): Tensor {
  return tf.tidy(() => {
    const parts = probes.map((probe) => {
      const part = tf.cast(probe.build(), 'float32');
      if (part.rank !== 1 || part.size !== probe.length) {
        throw new Error(`internal: a probe built ${part.size} numbers, expected ${probe.length}`);
      }
      return part;
    });
    return parts.length === 1 ? (parts[0] as Tensor) : tf.concat(parts);
  });
}

/** The result types of a tuple of probes. */
export type Results<P extends readonly Probe<unknown>[]> = {
  -readonly [K in keyof P]: P[K] extends Probe<infer T> ? T : never;
};

function decodeAll<P extends readonly Probe<unknown>[]>(probes: P, values: ArrayLike<number>) {
  let offset = 0;
  return probes.map((probe) => {
    const result = probe.decode(values, offset);
    offset += probe.length;
    return result;
  }) as Results<P>;
}

/** Evaluates the probes with one synchronous read (`dataSync`). */
export function readSync<const P extends readonly Probe<unknown>[]>(probes: P): Results<P> {
  const packed = pack(probes);
  try {
    return decodeAll(probes, packed.dataSync());
  } finally {
    packed.dispose();
  }
}

/** Evaluates the probes with one asynchronous read (`data()`). */
export async function read<const P extends readonly Probe<unknown>[]>(
  probes: P,
): Promise<Results<P>> {
  const packed = pack(probes);
  try {
    return decodeAll(probes, await packed.data());
  } finally {
    packed.dispose();
  }
}

/** Evaluates one probe with one synchronous read. */
export function readOneSync<T>(probe: Probe<T>): T {
  return readSync([probe] as const)[0];
}

/** A probe that reads nothing and decodes to `value` (for a metric that was not asked for). */
export function constantProbe<T>(value: T): Probe<T> {
  return { length: 0, build: () => tf.zeros([0]), decode: () => value };
}
