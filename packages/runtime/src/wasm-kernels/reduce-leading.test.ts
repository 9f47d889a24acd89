import { expectAllClose } from '@bregman/test-utils';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWasm, on, randomData, wasmDataIds } from '../backends.test-helper.js';
import { setWasmSimdKernelsEnabled } from './simd/instance.js';

beforeAll(loadWasm);

const cases: [number[], number | number[], boolean][] = [
  [[4, 5, 6, 7], [0, 1, 2], false], // a conv bias gradient / BatchNorm moments
  [[4, 5, 6, 7], [2, 1, 0], true],
  [[32, 10], 0, false], // a Dense bias gradient
  [[3, 4, 5], [0, 1], true],
  [[3, 7], 0, false], // fewer rows than the four summed per pass
  [[5, 3, 2], [0, 1], false], // 15 rows: three left over
  [[3, 5, 64], [0, 1], true], // 15 rows of 64 columns: whole SIMD vectors, an odd row
  [[2, 3, 3, 10], [0, 1, 2], false], // 18 rows of 10: two columns after the vectors
  [[4, 5, 6, 7], [1, 2], false], // not leading: the stock kernel
  [[4, 5, 6, 7], -1, true],
  [[4, 5, 6], [0, 1, 2], false], // every axis: the stock kernel
];

describe.each([
  ['WebAssembly SIMD', true],
  ['JavaScript', false],
])('Sum and Mean on wasm equal the cpu backend’s (%s)', (_name, simd) => {
  beforeAll(() => setWasmSimdKernelsEnabled(simd));
  afterAll(() => setWasmSimdKernelsEnabled(true));

  it.each(cases)('shape %j, axis %j, keepDims %s', async (shape, axis, keepDims) => {
    const run = (backend: 'cpu' | 'wasm') =>
      on(backend, () => {
        const x = tf.tensor(
          randomData(
            shape.reduce((a, b) => a * b, 1),
            41,
          ),
          shape,
        );
        const s = tf.sum(x, axis, keepDims);
        const m = tf.mean(x, axis, keepDims);
        const out = {
          sum: s.dataSync(),
          sumShape: s.shape,
          mean: m.dataSync(),
          meanShape: m.shape,
        };
        tf.dispose([x, s, m]);
        return out;
      });
    const cpu = await run('cpu');
    const wasm = await run('wasm');
    expect(wasm.sumShape).toEqual(cpu.sumShape);
    expect(wasm.meanShape).toEqual(cpu.meanShape);
    expectAllClose(wasm.sum, cpu.sum, { rtol: 1e-5, atol: 1e-6, label: 'sum' });
    expectAllClose(wasm.mean, cpu.mean, { rtol: 1e-5, atol: 1e-6, label: 'mean' });
  });
});

describe('Sum and Mean on wasm', () => {
  it('int32 sums stay on the stock kernel and stay int32', async () => {
    const s = await on('wasm', () => tf.sum(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), 0));
    expect(s.dtype).toBe('int32');
    expect(Array.from(s.dataSync())).toEqual([4, 6]);
    s.dispose();
  });

  it('a scalar is its own sum and mean (NaN and −0 too), with its gradient, and holds no memory after', async () => {
    for (const v of [2.5, Number.NaN, -0, Infinity]) {
      const run = (backend: 'cpu' | 'wasm') =>
        on(backend, () =>
          tf.tidy(() => {
            const x = tf.scalar(v);
            const { value, grads } = tf.valueAndGrads((s: tf.Tensor) => tf.mean(tf.sum(s)))([x]);
            return [value.dataSync()[0], grads[0]!.dataSync()[0], tf.sum(x, [], true).shape];
          }),
        );
      expect(await run('wasm')).toEqual(await run('cpu'));
    }
    const ids = wasmDataIds();
    await on('wasm', () => tf.tidy(() => tf.mean(tf.scalar(3)).dataSync()));
    expect(wasmDataIds()).toBe(ids);
  });

  it('allocates nothing it does not return', async () => {
    const x = await on('wasm', () => tf.ones([8, 4, 4, 3]));
    const ids = wasmDataIds();
    await on('wasm', () => tf.tidy(() => tf.sum(x, [0, 1, 2]).dataSync()));
    expect(wasmDataIds()).toBe(ids);
    x.dispose();
  });
});
