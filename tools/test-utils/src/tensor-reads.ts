import * as tf from '@tensorflow/tfjs-core';
import { vi } from 'vitest';

/** How often each way of reading a tensor back to JavaScript was called. */
export interface TensorReads {
  data: number;
  dataSync: number;
  array: number;
  arraySync: number;
}

/**
 * Runs `run` (awaited) with the read-back methods of `tf.Tensor` spied on, and returns what it
 * returned, how often each method was called meanwhile (by `run` or anything it started), and
 * how many more tensors there are after it than before (`newTensors`).
 */
export async function tensorReads<T>(
  run: () => T | Promise<T>,
): Promise<{ result: T; reads: TensorReads; newTensors: number }> {
  const before = tf.memory().numTensors;
  const spies = {
    data: vi.spyOn(tf.Tensor.prototype, 'data'),
    dataSync: vi.spyOn(tf.Tensor.prototype, 'dataSync'),
    array: vi.spyOn(tf.Tensor.prototype, 'array'),
    arraySync: vi.spyOn(tf.Tensor.prototype, 'arraySync'),
  };
  try {
    const result = await run();
    const reads = {
      data: spies.data.mock.calls.length,
      dataSync: spies.dataSync.mock.calls.length,
      array: spies.array.mock.calls.length,
      arraySync: spies.arraySync.mock.calls.length,
    };
    return { result, reads, newTensors: tf.memory().numTensors - before };
  } finally {
    for (const spy of Object.values(spies)) spy.mockRestore();
  }
}
