import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadWasm, on, randomData, wasmDataIds } from '../backends.test-helper.js';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from './register.js';

beforeAll(loadWasm);

type Dtype = 'float32' | 'int32' | 'bool';

/** `tf.gather(x, indices, axis)` on `backend`: shape, dtype and values. */
const gathered = (
  backend: 'cpu' | 'wasm',
  shape: number[],
  dtype: Dtype,
  indices: number[],
  axis: number,
) =>
  on(backend, () =>
    tf.tidy(() => {
      const size = shape.reduce((a, b) => a * b, 1);
      const values = Array.from(randomData(size, 71), (v) =>
        dtype === 'float32' ? v : dtype === 'int32' ? Math.round(v * 50) : v > 0 ? 1 : 0,
      );
      const t = tf.gather(tf.tensor(values, shape, dtype), tf.tensor1d(indices, 'int32'), axis);
      return { shape: t.shape, dtype: t.dtype, values: Array.from(t.dataSync()) };
    }),
  );

const cases: [string, number[], Dtype, number[], number][] = [
  ['axis 0 (rows)', [7, 20], 'float32', [6, 0, 3], 0],
  ['last axis (columns)', [7, 20], 'float32', [19, 2, 2, 5], 1],
  ['conv kernel, axis 2', [5, 5, 16, 32], 'float32', [15, 3, 4, 9, 0], 2],
  ['conv kernel, axis 3', [5, 5, 16, 32], 'float32', [31, 1, 7, 7, 20], 3],
  ['conv kernel, axis −2', [5, 5, 16, 32], 'float32', [2, 14], -2],
  ['negative last axis', [4, 6], 'float32', [5, 0], -1],
  ['repeated and unsorted', [10, 40], 'float32', [9, 1, 9, 4, 1, 0, 9], 0],
  ['slices of 8 (the short-slice loop)', [3, 12, 8], 'float32', [11, 0, 5, 5], 1],
  ['empty indices', [6, 5], 'float32', [], 1],
  ['int32 x', [6, 3, 4], 'int32', [2, 0, 2], 1],
  ['bool x', [5, 4], 'bool', [3, 1], 0],
  ['rank 1', [9], 'float32', [8, 0, 4], 0],
];

describe('GatherV2 on wasm equals the cpu backend’s', () => {
  it.each(cases)('%s: shape %j %s, indices %j, axis %d', async (_, shape, dtype, indices, axis) => {
    expect(await gathered('wasm', shape, dtype, indices, axis)).toEqual(
      await gathered('cpu', shape, dtype, indices, axis),
    );
  });

  it('rank-2 indices', async () => {
    const run = (backend: 'cpu' | 'wasm') =>
      on(backend, () =>
        tf.tidy(() => {
          const x = tf.tensor3d(randomData(3 * 5 * 2, 72), [3, 5, 2]);
          const t = tf.gather(x, tf.tensor2d([4, 0, 1, 1, 3, 2], [2, 3], 'int32'), 1);
          return { shape: t.shape, values: Array.from(t.dataSync()) };
        }),
      );
    expect(await run('wasm')).toEqual(await run('cpu'));
  });

  it.each([
    // [x shape, indices, indices shape, axis, batchDims]; the stock kernel gets the first wrong
    [[2, 2], [1, 0], [2, 1], 1, 1],
    [[2, 4, 3], [3, 0, 1, 1], [2, 2], 1, 1],
    [[2, 3, 4, 5], [3, 0, 1, 1, 2, 2], [2, 3], 2, 1],
    [[2, 3, 4, 20], [3, 0, 1, 1, 2, 2], [2, 3], 2, -1],
    [[2, 3, 6], [5, 0, 1, 2, 2, 2], [2, 3, 1], 2, 2],
  ])(
    'batchDims: x %j, indices %j of shape %j, axis %d, batchDims %d',
    async (shape, indices, indicesShape, axis, batchDims) => {
      const run = (backend: 'cpu' | 'wasm') =>
        on(backend, () =>
          tf.tidy(() => {
            const size = shape.reduce((a, b) => a * b, 1);
            const x = tf.tensor(randomData(size, 73), shape);
            const i = tf.tensor(indices, indicesShape, 'int32');
            const t = tf.gather(x, i, axis, batchDims);
            return { shape: t.shape, values: Array.from(t.dataSync()) };
          }),
        );
      expect(await run('wasm')).toEqual(await run('cpu'));
    },
  );

  it.each([
    [[4, 5], 5, 1],
    [[4, 5], -1, 0],
  ])(
    'an index out of range: the cpu backend’s error (shape %j, index %d, axis %d)',
    async (shape, index, axis) => {
      const attempt = (backend: 'cpu' | 'wasm') =>
        on(backend, () =>
          tf.tidy(() => tf.gather(tf.zeros(shape), tf.tensor1d([0, index], 'int32'), axis)),
        );
      const message = `GatherV2: the index value ${index} is not in [0, ${(shape[axis] as number) - 1}]`;
      await expect(attempt('cpu')).rejects.toThrow(message);
      const ids = wasmDataIds();
      await expect(attempt('wasm')).rejects.toThrow(message);
      expect(wasmDataIds()).toBe(ids); // nothing allocated before the check
    },
  );

  it('its gradient: the cpu backend’s; on wasm UnsortedSegmentSum is missing, stock kernels or not', async () => {
    const gradient = (backend: 'cpu' | 'wasm') =>
      on(backend, () =>
        tf.tidy(() => {
          const x = tf.tensor4d(randomData(3 * 3 * 4 * 6, 74), [3, 3, 4, 6]);
          const r = tf.tensor4d(randomData(3 * 3 * 3 * 6, 75), [3, 3, 3, 6]);
          const idx = tf.tensor1d([3, 1, 3], 'int32');
          const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.gather(a, idx, 2), r)))(x);
          return Array.from(g.dataSync());
        }),
      );
    // on cpu: r's slices k added at channel idx[k] (channel 3 twice), zeros at channels 0 and 2
    const r = randomData(3 * 3 * 3 * 6, 75);
    const expected = new Array<number>(3 * 3 * 4 * 6).fill(0);
    for (let p = 0; p < 9; p++) {
      for (const [k, c] of [3, 1, 3].entries()) {
        for (let j = 0; j < 6; j++) {
          const at = (p * 4 + c) * 6 + j;
          expected[at] = (expected[at] as number) + (r[(p * 3 + k) * 6 + j] as number);
        }
      }
    }
    const cpu = await gradient('cpu');
    for (let i = 0; i < expected.length; i++) expect(cpu[i]).toBeCloseTo(expected[i] as number, 6);
    // tfjs-core's GatherV2 gradient is an UnsortedSegmentSum, which tfjs-backend-wasm 4.22 lacks
    const missing = /Kernel 'UnsortedSegmentSum' not registered for backend 'wasm'/;
    await expect(gradient('wasm')).rejects.toThrow(missing);
    unregisterWasmTrainingKernels();
    try {
      await expect(gradient('wasm')).rejects.toThrow(missing);
    } finally {
      registerWasmTrainingKernels();
    }
  });

  it('allocates only its output', async () => {
    const x = await on('wasm', () => tf.ones([8, 40]));
    const idx = tf.tensor1d([7, 1, 1], 'int32');
    const ids = wasmDataIds();
    await on('wasm', () => tf.tidy(() => tf.gather(x, idx, 1).dataSync()));
    expect(wasmDataIds()).toBe(ids);
    x.dispose();
    idx.dispose();
  });
});
