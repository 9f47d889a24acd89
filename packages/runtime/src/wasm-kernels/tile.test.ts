import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadWasm, on, randomData, wasmDataIds } from '../backends.test-helper.js';

beforeAll(loadWasm);

const cases: [number[], number[], 'float32' | 'int32' | 'bool'][] = [
  [[1, 1, 1, 8], [2, 3, 4, 1], 'float32'], // BatchNorm's gradient
  [[2, 3], [3, 2], 'float32'],
  [[3, 1, 2], [1, 4, 3], 'int32'],
  [[5], [3], 'float32'],
  [[2, 2, 1, 3], [1, 2, 5, 2], 'bool'],
  [[2, 0, 3], [2, 2, 2], 'float32'],
];

describe('Tile on wasm equals the cpu backend’s', () => {
  it.each(cases)('shape %j reps %j %s', async (shape, reps, dtype) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = Array.from(randomData(size, 51), (v) =>
      dtype === 'float32' ? v : Math.round(v * 5),
    );
    const run = (backend: 'cpu' | 'wasm') =>
      on(backend, () => {
        const t = tf.tile(tf.tensor(values, shape, dtype), reps);
        const out = { shape: t.shape, values: Array.from(t.dataSync()), dtype: t.dtype };
        t.dispose();
        return out;
      });
    expect(await run('wasm')).toEqual(await run('cpu'));
  });

  it('the BatchNorm gradient through it equals the cpu backend’s', async () => {
    const run = (backend: 'cpu' | 'wasm') =>
      on(backend, () =>
        tf.tidy(() => {
          const x = tf.tensor4d(randomData(2 * 3 * 3 * 4, 52), [2, 3, 3, 4]);
          const mean = tf.tensor1d(randomData(4, 53));
          const variance = tf.abs(tf.tensor1d(randomData(4, 54)));
          const offset = tf.tensor1d(randomData(4, 56));
          const scale = tf.tensor1d(randomData(4, 57));
          const r = tf.tensor4d(randomData(2 * 3 * 3 * 4, 55), [2, 3, 3, 4]);
          return Array.from(
            tf
              .grad((a: tf.Tensor) =>
                tf.sum(tf.mul(tf.batchNorm(a, mean, variance, offset, scale), r)),
              )(x)
              .dataSync(),
          );
        }),
      );
    const cpu = await run('cpu');
    const wasm = await run('wasm');
    for (let i = 0; i < cpu.length; i++) expect(wasm[i]).toBeCloseTo(cpu[i]!, 5);
  });

  it('allocates only its output', async () => {
    const x = await on('wasm', () => tf.ones([1, 1, 1, 4]));
    const ids = wasmDataIds();
    await on('wasm', () => tf.tidy(() => tf.tile(x, [2, 3, 3, 1]).dataSync()));
    expect(wasmDataIds()).toBe(ids);
    x.dispose();
  });
});
