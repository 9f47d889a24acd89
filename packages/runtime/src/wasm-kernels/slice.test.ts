import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadWasm, on, randomData, wasmDataIds } from '../backends.test-helper.js';

beforeAll(loadWasm);

type Case = [number[], number[], number[], 'float32' | 'int32' | 'bool'];

const cases: Case[] = [
  [[128, 784], [0, 0], [64, 784], 'float32'], // a data-parallel shard: leading rows
  [[128, 784], [64, 0], [-1, -1], 'float32'],
  [[7, 5], [2, 1], [3, 3], 'float32'], // a block: one run per row
  [[4, 5, 6], [1, 2, 0], [2, 3, 6], 'int32'], // whole innermost axis: runs merge
  [[4, 5, 6], [0, 0, 3], [4, 5, 2], 'float32'],
  [[2, 3, 4, 5], [1, 0, 2, 1], [1, 3, 2, 4], 'float32'],
  [[2, 3, 4, 5, 2], [0, 1, 1, 0, 1], [2, 2, 3, 5, 1], 'float32'],
  [[9], [3], [4], 'bool'],
  [[3, 4], [1, 1], [0, 2], 'float32'], // empty
  [[6, 2], [5, 0], [1, 2], 'int32'],
];

describe('Slice on wasm equals the cpu backend’s', () => {
  it.each(cases)('shape %j begin %j size %j %s', async (shape, begin, size, dtype) => {
    const count = shape.reduce((a, b) => a * b, 1);
    const values = Array.from(randomData(count, 61), (v) =>
      dtype === 'float32' ? v : dtype === 'int32' ? Math.round(v * 100) : Number(v > 0),
    );
    const run = (backend: 'cpu' | 'wasm') =>
      on(backend, () => {
        const t = tf.tidy(() => tf.slice(tf.tensor(values, shape, dtype), begin, size));
        const out = { shape: t.shape, values: Array.from(t.dataSync()), dtype: t.dtype };
        t.dispose();
        return out;
      });
    expect(await run('wasm')).toEqual(await run('cpu'));
  });

  it('gives the gradient through it that the cpu backend gives', async () => {
    const run = (backend: 'cpu' | 'wasm') =>
      on(backend, () =>
        tf.tidy(() => {
          const x = tf.tensor3d(randomData(4 * 5 * 6, 62), [4, 5, 6]);
          const r = tf.tensor3d(randomData(2 * 3 * 4, 63), [2, 3, 4]);
          const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.slice(a, [1, 2, 1], [2, 3, 4]), r)));
          return Array.from(g(x).dataSync());
        }),
      );
    expect(await run('wasm')).toEqual(await run('cpu'));
  });

  it('refuses a slice past the end of its input with a clear error (called as a kernel)', async () => {
    await on('wasm', () => {
      const x = tf.zeros([4, 3]);
      expect(() => tf.engine().runKernel('Slice', { x }, { begin: [2, 0], size: [3, 3] })).toThrow(
        /begin\[0\] \+ size\[0\] \(5\) would overflow input\.shape\[0\] \(4\)/,
      );
      x.dispose();
    });
  });

  it('allocates only its output', async () => {
    const x = await on('wasm', () => tf.ones([8, 4, 3]));
    const ids = wasmDataIds();
    await on('wasm', () => tf.tidy(() => tf.slice(x, [2, 1, 0], [3, 2, 3]).dataSync()));
    expect(wasmDataIds()).toBe(ids);
    x.dispose();
  });
});
