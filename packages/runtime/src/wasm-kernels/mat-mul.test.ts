import { expectAllClose } from '@bregman/test-utils';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWasm, on, randomData, wasmDataIds } from '../backends.test-helper.js';
import { setWasmSimdKernelsEnabled } from './simd/instance.js';
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

describe.each([
  ['the WebAssembly SIMD GEMM', true],
  ['XNNPACK', false],
])('BatchMatMul / _FusedMatMul on wasm equal the cpu backend’s (%s)', (_name, simd) => {
  beforeAll(() => setWasmSimdKernelsEnabled(simd));
  afterAll(() => setWasmSimdKernelsEnabled(true));

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
    // the GEMM's edges: one row, rows and columns past whole 4 × 8 tiles, fewer columns than
    // a panel, inner steps across blocks of 256, rows of 4 KiB (cache-set conflicts)
    ['one row', [1, 50], [50, 30], false, false],
    ['7 × 600 · 600 × 21', [7, 600], [600, 21], false, false],
    ['transposed 9 × 513 · 5', [513, 9], [5, 513], true, true],
    ['n = 1024', [6, 40], [40, 1024], false, false],
    ['k = 1', [10, 1], [1, 9], false, false],
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

  it.each([
    ['relu6', 'relu6'],
    ['elu (XNNPACK)', 'elu'],
    ['leakyrelu (XNNPACK)', 'leakyrelu'],
  ] as const)('fused matMul + bias + %s', async (_label, activation) => {
    const run = (backend: 'cpu' | 'wasm') =>
      on(backend, () =>
        tf.tidy(() => {
          const { a, b } = operands(10, 30, 12, false, false);
          const bias = tf.tensor1d(randomData(12, 8)).mul(4);
          return tf.fused
            .matMul({ a: a.mul(3), b, bias, activation, leakyreluAlpha: 0.1 })
            .dataSync();
        }),
      );
    expectAllClose(await run('wasm'), await run('cpu'), { rtol: 1e-5, atol: 1e-5 });
  });

  it('a bias of rank 2 is refused as tfjs-backend-wasm refuses it', async () => {
    await on('wasm', () => {
      const { a, b } = operands(9, 12, 7, false, false);
      const bias = tf.ones([1, 7]);
      expect(() => tf.fused.matMul({ a, b, bias })).toThrow(/rank-1 bias/);
      tf.dispose([a, b, bias]);
    });
  });

  it.each([
    ['a batched, b shared', [3], []],
    ['a shared, b batched', [], [3]],
    ['outer [2, 3] · [3]', [2, 3], [3]],
    ['outer [2, 1] · [1, 3] (stock)', [2, 1], [1, 3]],
  ])('batched products: %s', async (_label, aOuter, bOuter) => {
    const run = (backend: 'cpu' | 'wasm') =>
      on(backend, () =>
        tf.tidy(() => {
          const sa = [...aOuter, 5, 6];
          const sb = [...bOuter, 6, 9];
          const size = (s: number[]) => s.reduce((x, y) => x * y, 1);
          const a = tf.tensor(randomData(size(sa), 15), sa);
          const b = tf.tensor(randomData(size(sb), 16), sb);
          const c = tf.matMul(a, b);
          return { shape: c.shape, values: c.dataSync() };
        }),
      );
    const wasm = await run('wasm');
    const cpu = await run('cpu');
    expect(wasm.shape).toEqual(cpu.shape);
    expectAllClose(wasm.values, cpu.values, { rtol: 1e-5, atol: 1e-5 });
  });

  // XNNPACK's ReLU sends NaN to 0, and with k = 0 it leaves out the bias
  it.runIf(simd)('keeps NaN and infinities as the cpu backend does', async () => {
    const run = (backend: 'cpu' | 'wasm') =>
      on(backend, () =>
        tf.tidy(() => {
          const a = tf.tensor2d([Number.NaN, 1, 2, 3, 1, Number.POSITIVE_INFINITY], [3, 2]);
          const b = tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [2, 5]);
          return Array.from(tf.fused.matMul({ a, b, activation: 'relu' }).dataSync());
        }),
      );
    expect(await run('wasm')).toEqual(await run('cpu'));
  });

  it.runIf(simd)('empty products: k = 0 gives the bias, m = 0 an empty result', async () => {
    const run = (backend: 'cpu' | 'wasm') =>
      on(backend, () =>
        tf.tidy(() => {
          const zeros = tf.fused
            .matMul({ a: tf.zeros([3, 0]), b: tf.zeros([0, 4]), bias: tf.tensor1d([1, 2, 3, 4]) })
            .dataSync();
          const empty = tf.matMul(tf.zeros([0, 5]), tf.ones([5, 4]));
          return { zeros: Array.from(zeros), shape: empty.shape };
        }),
      );
    expect(await run('wasm')).toEqual(await run('cpu'));
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
