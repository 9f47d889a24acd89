import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadWasm, on, wasmDataIds } from '../backends.test-helper.js';
import { wasmTrainingKernelsRegistered } from './register.js';

beforeAll(async () => {
  await loadWasm();
  expect(wasmTrainingKernelsRegistered()).toBe(true);
});

describe('Cast on wasm', () => {
  it('to the same dtype shares the memory; the cast outlives its source', async () => {
    await on('wasm', () => {
      const ids = wasmDataIds();
      const x = tf.tensor2d([1, -2, 3.5, Number.NaN], [2, 2]);
      const y = tf.cast(x, 'float32');
      expect(wasmDataIds()).toBe(ids + 1); // one buffer, two tensors
      x.dispose();
      expect(Array.from(y.dataSync())).toEqual([1, -2, 3.5, Number.NaN]);
      expect([y.shape, y.dtype]).toEqual([[2, 2], 'float32']);
      y.dispose();
      expect(wasmDataIds()).toBe(ids);
    });
  });

  it('to bool: every entry but 0 becomes 1, as on cpu (the stock kernel gave 254 for −2.2)', async () => {
    await on('wasm', () => {
      const f = tf.tensor1d([1.7, -2.2, 0, -0, Number.NaN, 1e-30]);
      expect(Array.from(tf.cast(f, 'bool').dataSync())).toEqual([1, 1, 0, 0, 1, 1]);
      const i = tf.tensor1d([3, -1, 0, 256], 'int32');
      expect(Array.from(tf.cast(i, 'bool').dataSync())).toEqual([1, 1, 0, 1]);
    });
  });

  it('other conversions are the stock kernel’s', async () => {
    await on('wasm', () => {
      const f = tf.tensor1d([1.7, -2.2, 0]);
      expect(Array.from(tf.cast(f, 'int32').dataSync())).toEqual([1, -2, 0]);
      expect(Array.from(tf.cast(tf.tensor1d([3, -1], 'int32'), 'float32').dataSync())).toEqual([
        3, -1,
      ]);
      const b = tf.cast(tf.tensor1d([1, 0], 'bool'), 'float32');
      expect([b.dtype, Array.from(b.dataSync())]).toEqual(['float32', [1, 0]]);
    });
  });
});
