import { expectAllClose } from '@bregman/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadWasm, on, randomData, wasmDataIds } from '../backends.test-helper.js';
import { stockKernel } from './stock-kernels.js';

beforeAll(loadWasm);

/** `[m, k]` and `[k, n]` operands laid out for the requested transposes. */
function operands(m: number, k: number, n: number, ta: boolean, tb: boolean, batch?: number) {
  const lead = batch === undefined ? [] : [batch];
  const b0 = batch ?? 1;
  const a = tf.tensor(randomData(b0 * m * k, 5), [...lead, ...(ta ? [k, m] : [m, k])]);
  const b = tf.tensor(randomData(b0 * k * n, 6), [...lead, ...(tb ? [n, k] : [k, n])]);
  return { a, b };
}

const flags: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

describe('BatchMatMul / _FusedMatMul on wasm equal the cpu backend’s', () => {
  it.each(flags)(
    'matMul transposeA=%s transposeB=%s (rank 2, rank 3 batch 1, batch 3)',
    async (ta, tb) => {
      // 37 × 40 × 19: the in-memory transposes cross several 16 × 16 tiles, with remainders
      for (const [m, k, n] of [
        [13, 17, 11],
        [37, 40, 19],
      ] as const) {
        for (const batch of [undefined, 1, 3]) {
          const run = (backend: 'cpu' | 'wasm') =>
            on(backend, () =>
              tf.tidy(() => {
                const { a, b } = operands(m, k, n, ta, tb, batch);
                return tf.matMul(a, b, ta, tb).dataSync();
              }),
            );
          expectAllClose(await run('wasm'), await run('cpu'), {
            rtol: 1e-5,
            atol: 1e-5,
            label: `${m}×${k}×${n}, batch ${batch}`,
          });
        }
      }
    },
  );

  it.each(flags)('fused matMul + bias + relu, transposeA=%s transposeB=%s', async (ta, tb) => {
    const run = (backend: 'cpu' | 'wasm') =>
      on(backend, () =>
        tf.tidy(() => {
          const { a, b } = operands(9, 12, 7, ta, tb);
          const bias = tf.tensor1d(randomData(7, 8));
          return tf.fused
            .matMul({ a, b, transposeA: ta, transposeB: tb, bias, activation: 'relu' })
            .dataSync();
        }),
      );
    expectAllClose(await run('wasm'), await run('cpu'), { rtol: 1e-5, atol: 1e-5 });
  });

  it('Dense layer gradients (both ask for a transposed operand) equal the cpu backend’s', async () => {
    const run = (backend: 'cpu' | 'wasm') =>
      on(backend, () =>
        tf.tidy(() => {
          const x = tf.tensor2d(randomData(32 * 20, 9), [32, 20]);
          const w = tf.tensor2d(randomData(20 * 10, 10), [20, 10]);
          const bias = tf.tensor1d(randomData(10, 11));
          const r = tf.tensor2d(randomData(32 * 10, 12), [32, 10]);
          const [dx, dw, db] = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
            tf.sum(
              tf.mul(
                tf.fused.matMul({
                  a: a as tf.Tensor2D,
                  b: b as tf.Tensor2D,
                  bias: c,
                  activation: 'relu',
                }),
                r,
              ),
            ),
          )([x, w, bias]);
          return [dx!.dataSync(), dw!.dataSync(), db!.dataSync()];
        }),
      );
    const cpu = await run('cpu');
    const wasm = await run('wasm');
    for (const [i, label] of ['dx', 'dW', 'db'].entries()) {
      expectAllClose(wasm[i]!, cpu[i]!, { rtol: 1e-5, atol: 1e-5, label });
    }
  });

  it.each([
    ['Dense dW = xᵀ·dy', [128, 784], [128, 200], true, false],
    ['Dense dx = dy·Wᵀ (computed as (W·dyᵀ)ᵀ)', [128, 200], [784, 200], false, true],
    [
      'conv filter gradient patchesᵀ·dy (computed as (dyᵀ·patches)ᵀ)',
      [3000, 25],
      [3000, 64],
      true,
      false,
    ],
    ['untransposed, large right operand', [4, 300], [300, 200], false, false],
  ] as const)('%s equals the cpu backend’s', async (_name, aShape, bShape, ta, tb) => {
    const run = (backend: 'cpu' | 'wasm') =>
      on(backend, () => {
        const c = tf.tidy(() =>
          tf.matMul(
            tf.tensor2d(randomData(aShape[0] * aShape[1], 13), [...aShape]),
            tf.tensor2d(randomData(bShape[0] * bShape[1], 14), [...bShape]),
            ta,
            tb,
          ),
        );
        const v = c.dataSync();
        c.dispose();
        return v;
      });
    expectAllClose(await run('wasm'), await run('cpu'), { rtol: 1e-4, atol: 1e-4 });
  });

  it('frees the transposed copies', async () => {
    await on('wasm', () => tf.tidy(() => tf.matMul(tf.ones([8, 4]), tf.ones([8, 4]), true, false)));
    const ids = wasmDataIds();
    await on('wasm', () => {
      for (let i = 0; i < 5; i++) {
        tf.tidy(() => {
          const { a, b } = operands(6, 5, 4, true, true);
          tf.matMul(a, b, true, true).dataSync();
        });
      }
    });
    expect(wasmDataIds()).toBe(ids);
  });

  it('keeps the stock kernel for the batched products it falls back to', () => {
    expect(stockKernel('BatchMatMul').kernelName).toBe('BatchMatMul');
    expect(stockKernel('_FusedMatMul').kernelName).toBe('_FusedMatMul');
  });
});
