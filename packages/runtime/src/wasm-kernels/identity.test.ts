import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadWasm, on, wasmDataIds } from '../backends.test-helper.js';
import { wasmTrainingKernelsRegistered } from './register.js';

beforeAll(async () => {
  await loadWasm();
  expect(wasmTrainingKernelsRegistered()).toBe(true);
});

describe('Identity on wasm shares memory instead of copying it', () => {
  it('a clone reads the same values and outlives its source; the memory goes with the last', async () => {
    await on('wasm', () => {
      const ids = wasmDataIds();
      const x = tf.tensor2d([1, -2, 3.5, 4], [2, 2]);
      const y = tf.clone(x);
      expect(wasmDataIds()).toBe(ids + 1); // one buffer, two tensors
      x.dispose();
      expect(Array.from(y.dataSync())).toEqual([1, -2, 3.5, 4]);
      expect(y.shape).toEqual([2, 2]);
      y.dispose();
      expect(wasmDataIds()).toBe(ids);
    });
  });

  it('int32 and bool keep their dtype; strings still copy (stock kernel)', async () => {
    await on('wasm', () => {
      const i = tf.tensor1d([3, -1], 'int32');
      const b = tf.tensor1d([1, 0], 'bool');
      const s = tf.tensor1d(['a', 'bc']);
      for (const [t, values] of [
        [i, [3, -1]],
        [b, [1, 0]],
        [s, ['a', 'bc']],
      ] as const) {
        const c = tf.clone(t);
        expect(c.dtype).toBe(t.dtype);
        expect(Array.from(c.dataSync() as ArrayLike<unknown>)).toEqual(values);
        c.dispose();
      }
      tf.dispose([i, b, s]);
    });
  });

  it('a variable assigned after a clone leaves the clone as it was', async () => {
    await on('wasm', () => {
      const v = tf.variable(tf.tensor1d([1, 2]));
      const before = tf.clone(v);
      v.assign(tf.tensor1d([5, 6]));
      expect(Array.from(before.dataSync())).toEqual([1, 2]);
      expect(Array.from(v.dataSync())).toEqual([5, 6]);
      tf.dispose([v, before]);
    });
  });
});
