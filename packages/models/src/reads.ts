/**
 * Algorithms that read tensor values, written once for synchronous and asynchronous reads:
 * `compact` / `compactAsync`, and the live-unit analysis of the sparse-aware step.
 * Internal: not exported from the package.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * A computation that needs tensor values: it yields each tensor it must read and is resumed
 * with the tensor's values, so that one algorithm reads them synchronously ({@link readSync})
 * or asynchronously ({@link readAsync}). It disposes what it yields when it owns it.
 */
export type Reads<T> = Generator<tf.Tensor, T, Float32Array>;

/** The values of `compute()`'s result (disposed once read). */
export function* computed(compute: () => tf.Tensor): Reads<Float32Array> {
  const result = tf.tidy(compute);
  try {
    return yield result;
  } finally {
    result.dispose();
  }
}

/** Runs `steps`, reading each tensor it yields with `dataSync` (not on webgpu in Node). */
export function readSync<T>(steps: Reads<T>): T {
  try {
    let step = steps.next();
    while (!step.done) step = steps.next(step.value.dataSync() as Float32Array);
    return step.value;
  } finally {
    steps.return(undefined as never); // after a failed read: frees what the steps hold
  }
}

/** Runs `steps`, reading each tensor it yields with `await data()` (every backend). */
export async function readAsync<T>(steps: Reads<T>): Promise<T> {
  try {
    let step = steps.next();
    while (!step.done) step = steps.next((await step.value.data()) as Float32Array);
    return step.value;
  } finally {
    steps.return(undefined as never); // after a failed read: frees what the steps hold
  }
}
