import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadWasm, on, randomData, wasmDataIds } from '../backends.test-helper.js';

beforeAll(loadWasm);

/** `tf.scatterND(indices, updates, shape)` on `backend`: shape, dtype and values. */
const scattered = (
  backend: 'cpu' | 'wasm',
  indices: number[],
  indicesShape: number[],
  updatesShape: number[],
  shape: number[],
  dtype: 'float32' | 'int32' = 'float32',
) =>
  on(backend, () =>
    tf.tidy(() => {
      const size = updatesShape.reduce((a, b) => a * b, 1);
      const values = Array.from(randomData(size, 81), (v) =>
        dtype === 'float32' ? v : Math.round(v * 50),
      );
      const t = tf.scatterND(
        tf.tensor(indices, indicesShape, 'int32'),
        tf.tensor(values, updatesShape, dtype),
        shape,
      );
      return { shape: t.shape, dtype: t.dtype, values: Array.from(t.dataSync()) };
    }),
  );

const cases: [string, number[], number[], number[], number[], ('float32' | 'int32')?][] = [
  ['depth 1, scalars', [4, 0, 7, 2], [4, 1], [4], [9]],
  ['depth 1, duplicates add up', [3, 1, 3, 3, 0], [5, 1], [5], [6]],
  ['depth 1, rows', [2, 0], [2, 1], [2, 5], [4, 5]],
  ['depth 2, scalars', [0, 1, 2, 3, 1, 1, 0, 1], [4, 2], [4], [3, 4]],
  ['depth 2, slices, duplicates', [1, 2, 0, 0, 1, 2], [3, 2], [3, 6], [2, 3, 6]],
  ['rank-1 indices', [5, 1, 5], [3], [3], [7]],
  ['empty updates', [], [0, 1], [0], [5]],
  ['int32 updates, duplicates', [1, 1, 0], [3, 1], [3, 2], [2, 2], 'int32'],
];

describe('ScatterNd on wasm equals the cpu backend’s', () => {
  it.each(cases)('%s', async (_, indices, indicesShape, updatesShape, shape, dtype) => {
    expect(await scattered('wasm', indices, indicesShape, updatesShape, shape, dtype)).toEqual(
      await scattered('cpu', indices, indicesShape, updatesShape, shape, dtype),
    );
  });

  it('a large scatter into a reused heap (stale values are cleared)', async () => {
    for (let round = 0; round < 2; round++) {
      const indices = Array.from({ length: 3000 }, (_, i) => (i * 37) % 5000);
      expect(await scattered('wasm', indices, [3000, 1], [3000], [5000])).toEqual(
        await scattered('cpu', indices, [3000, 1], [3000], [5000]),
      );
    }
  });

  it.each([
    [
      'past the end',
      [0, 6],
      [6],
      /ScatterNd on wasm: indices\[1\] = \[6\] does not index into shape \[6\]/,
    ],
    [
      'negative',
      [-1, 2],
      [6],
      /ScatterNd on wasm: indices\[0\] = \[-1\] does not index into shape \[6\]/,
    ],
  ])('an index out of range (%s): a clear error', async (_, indices, shape, message) => {
    const ids = wasmDataIds();
    await expect(scattered('wasm', indices, [2, 1], [2], shape)).rejects.toThrow(message);
    expect(wasmDataIds()).toBe(ids); // its output freed before it throws
    await expect(scattered('cpu', indices, [2, 1], [2], shape)).rejects.toThrow(/Invalid indices/);
  });

  it('an entry out of its own axis throws even where the flat offset fits (the cpu backend wraps)', async () => {
    await expect(scattered('wasm', [0, 5], [1, 2], [1], [3, 4])).rejects.toThrow(
      'ScatterNd on wasm: indices[0] = [0, 5] does not index into shape [3, 4] (entry 1 is 5, not in [0, 3])',
    );
  });
});
