import { STANDARDIZE_KERNEL, Standardize, standardize } from '@bregman/models';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadWasm, on, randomData } from '../backends.test-helper.js';
import { setWasmSimdKernelsEnabled } from './simd/instance.js';

beforeAll(loadWasm);
afterEach(() => setWasmSimdKernelsEnabled(true));

/** Float32 bits, NaN canonical. */
const bits = (values: ArrayLike<number>) =>
  Array.from(
    Float32Array.from(values, (v) => (Number.isNaN(v) ? Number.NaN : v)),
    (v) => new Uint32Array(new Float32Array([v]).buffer)[0]!,
  );

/** x of `shape` (random, with 0, ±∞ and NaN among the first entries), mean and std. */
function inputs(shape: number[], means: number[], stds: number[]) {
  const x = randomData(
    shape.reduce((a, b) => a * b, 1),
    shape.length,
  ).map((v) => v * 3);
  x.set([0, Infinity, -Infinity, Number.NaN, -0]);
  return { x: tf.tensor(x, shape), mean: tf.tensor1d(means), std: tf.tensor1d(stds) };
}

const CASES: Array<[string, number[], number[], number[]]> = [
  ['MNIST: [128, 784], one mean and std', [128, 784], [0.1307], [0.3081]],
  ['CIFAR: [4, 8, 8, 3], one per channel', [4, 8, 8, 3], [0.49, 0.48, 0.45], [0.25, 0.24, 0.26]],
  [
    '8 channels (SIMD per channel)',
    [6, 5, 8],
    [...randomData(8, 1)],
    [...randomData(8, 2)].map(Math.abs),
  ],
  ['a mean per channel, one std', [7, 5], [1, 2, 3, 4, 5], [2]],
  ['10 entries: a partial SIMD vector', [10], [0.5], [3]],
];

describe('BregmanStandardize on wasm (the Standardize layer)', () => {
  for (const [name, shape, means, stds] of CASES) {
    it(`${name}: tf.div(tf.sub(x, mean), std) on cpu, bit for bit, with and without SIMD, and its gradient`, async () => {
      const run = (backend: 'cpu' | 'wasm', fused: boolean) =>
        on(backend, () =>
          tf.tidy(() => {
            const { x, mean, std } = inputs(shape, means, stds);
            const f = (v: tf.Tensor) =>
              fused ? standardize(v, mean, std) : tf.div(tf.sub(v, mean), std);
            const { value, grads } = tf.valueAndGrads((v: tf.Tensor) => tf.sum(tf.mul(f(v), v)))([
              x,
            ]);
            return [bits(f(x).dataSync()), bits(value.dataSync()), bits(grads[0]!.dataSync())];
          }),
        );
      const expected = await run('cpu', false);
      expect(await run('wasm', true)).toEqual(expected);
      setWasmSimdKernelsEnabled(false);
      expect(await run('wasm', true)).toEqual(expected);
    });
  }

  it('is one kernel in a model on wasm', async () => {
    await on('wasm', async () => {
      const model = tf.sequential({
        layers: [new Standardize({ inputShape: [4], mean: 0.5, std: 2 })],
      });
      const x = tf.ones([2, 4]);
      const info = await tf.profile(() => model.apply(x) as tf.Tensor);
      expect(info.kernels.map((k) => k.name)).toEqual([STANDARDIZE_KERNEL]);
      tf.dispose(x);
      model.dispose();
    });
  });

  it('refuses statistics that are neither one value nor one per channel', async () => {
    await on('wasm', () => {
      const x = tf.ones([2, 4]);
      const three = tf.ones([3]);
      expect(() => standardize(x, three, tf.ones([1]))).toThrow(
        /mean must have 1 entry or one per channel \(4, the last axis of x\), got 3/,
      );
      tf.dispose([x, three]);
    });
  });
});
