import { L1, SparseGroupLasso } from '@bregman/core-prox';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadWasm, on } from '../backends.test-helper.js';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from './register.js';

beforeAll(loadWasm);

// magnitudes the stock kernel maps to 0 (below ~1e-7), the subnormal range, and the edges
const values = [1e-8, -1e-8, 5e-8, -3e-7, 1e-20, -1e-40, 0, -0, 2.5, -2.5, Infinity, -Infinity];

const signs = (backend: 'cpu' | 'wasm', dtype: 'float32' | 'int32', input: number[]) =>
  on(backend, () =>
    tf.tidy(() => {
      const s = tf.sign(tf.tensor(input, [input.length], dtype));
      return { dtype: s.dtype, values: Array.from(s.dataSync()) };
    }),
  );

describe('Sign on wasm equals the cpu backend’s', () => {
  it('float32: small magnitudes, subnormals, ±0, ±∞ and NaN', async () => {
    const input = [...values, Number.NaN];
    expect(await signs('wasm', 'float32', input)).toEqual(await signs('cpu', 'float32', input));
    expect((await signs('wasm', 'float32', input)).values).toEqual([
      1, -1, 1, -1, 1, -1, 0, 0, 1, -1, 1, -1, 0,
    ]);
  });

  it('int32', async () => {
    const input = [3, -7, 0, 1, -1];
    expect(await signs('wasm', 'int32', input)).toEqual(await signs('cpu', 'int32', input));
  });
});

describe('ℓ1 subgradients of small weights on wasm, with or without this package’s kernels', () => {
  const theta = [1e-8, -5e-8, 0, 0.3];
  const subgradient = (J: L1 | SparseGroupLasso) =>
    on('wasm', () =>
      tf.tidy(() => Array.from(J.subgradient(tf.tensor2d(theta, [2, 2])).dataSync())),
    );

  it.each([
    ['registered', registerWasmTrainingKernels],
    ['stock', unregisterWasmTrainingKernels],
  ])('%s kernels: λ·sign(θ), not 0, for |θ| < 1e-7', async (_, setKernels) => {
    setKernels();
    try {
      expect(await subgradient(new L1({ lambda: 0.5 }))).toEqual([0.5, -0.5, 0, 0.5]);
      const sgl = await subgradient(new SparseGroupLasso({ lambda: 0.5, reduceAxes: [0] }));
      const reference = await on('cpu', () =>
        tf.tidy(() =>
          Array.from(
            new SparseGroupLasso({ lambda: 0.5, reduceAxes: [0] })
              .subgradient(tf.tensor2d(theta, [2, 2]))
              .dataSync(),
          ),
        ),
      );
      for (let i = 0; i < theta.length; i++) expect(sgl[i]).toBeCloseTo(reference[i]!, 6);
    } finally {
      registerWasmTrainingKernels();
    }
  });
});
