import { expectAllClose } from '@bregman/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadWasm, on, randomData } from '../backends.test-helper.js';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from './register.js';

beforeAll(loadWasm);

type Pool = 'max' | 'avg';
type PoolPad = 'same' | 'valid';

/** `dx` of `Σ r ⊙ pool(x)`, with `x` shifted by `offset` (−2 makes most windows all-negative). */
function poolGradient(
  kind: Pool,
  shape: number[],
  size: number,
  stride: number,
  pad: PoolPad,
  offset: number,
) {
  return tf.tidy(() => {
    const x = tf.add(
      tf.tensor(
        randomData(
          shape.reduce((a, b) => a * b, 1),
          21,
        ),
        shape,
      ),
      offset,
    ) as tf.Tensor4D;
    const pool = (a: tf.Tensor) =>
      kind === 'max'
        ? tf.maxPool(a as tf.Tensor4D, size, stride, pad)
        : tf.avgPool(a as tf.Tensor4D, size, stride, pad);
    const y = pool(x);
    const r = tf.tensor(randomData(y.size, 22), y.shape);
    return tf
      .grad((a: tf.Tensor) => tf.sum(tf.mul(pool(a), r)))(x)
      .dataSync();
  });
}

const cases: [Pool, number[], number, number, PoolPad, number][] = [
  ['max', [2, 8, 8, 3], 2, 2, 'valid', 0],
  ['max', [2, 8, 8, 3], 2, 2, 'valid', -2],
  ['max', [2, 8, 6, 8], 2, 2, 'valid', 0], // WebAssembly SIMD: channels divisible by 4
  ['max', [3, 4, 10, 4], 2, 2, 'valid', -2],
  ['max', [2, 7, 9, 4], 3, 2, 'same', -2],
  ['max', [1, 6, 6, 5], 3, 1, 'same', 0],
  ['max', [3, 9, 7, 2], 3, 2, 'valid', -0.5],
  ['avg', [2, 8, 8, 3], 2, 2, 'valid', 0],
  ['avg', [2, 7, 9, 4], 3, 2, 'same', 0],
];

/**
 * Writes, into `[N, 6, 6, channels]` values, a 2×2 window (rows 0–1, columns 0–1) entirely −∞
 * in channel 0 and one entirely NaN (rows 2–3) in channel 1; with `signedZeros`, one of −0 and
 * +0 (rows 4–5, −0 first) in channel 2.
 */
function setSpecialWindows(values: number[], channels: number, signedZeros: boolean): void {
  for (const [h, w] of [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ] as const) {
    values[(h * 6 + w) * channels] = Number.NEGATIVE_INFINITY;
    values[((h + 2) * 6 + w) * channels + 1] = Number.NaN;
    if (signedZeros) values[((h + 4) * 6 + w) * channels + 2] = h === w ? -0 : 0;
  }
}

describe('pooling gradients on wasm equal the cpu backend’s', () => {
  it.each(cases)(
    '%s pool %j size %i stride %i %s, inputs shifted by %d',
    async (kind, shape, size, stride, pad, offset) => {
      const cpu = await on('cpu', () => poolGradient(kind, shape, size, stride, pad, offset));
      const wasm = await on('wasm', () => poolGradient(kind, shape, size, stride, pad, offset));
      expectAllClose(wasm, cpu, { rtol: 1e-5, atol: 1e-6 });
    },
  );

  it.each([
    ['2×2 tiled', 2, 2, 'valid', 3],
    ['2×2 tiled, 8 channels (WebAssembly SIMD)', 2, 2, 'valid', 8],
    ['3×3 stride 2 same', 3, 2, 'same', 3],
  ] as const)(
    '%s: ties, ±∞ and NaN are routed as on cpu (first maximum, never NaN)',
    async (_n, size, stride, pad, channels) => {
      const shape = [2, 6, 6, channels];
      const values = Array.from(randomData(2 * 6 * 6 * channels, 31), (v, i) =>
        i % 7 === 0
          ? 0
          : i % 11 === 0
            ? Number.NEGATIVE_INFINITY
            : i % 13 === 0
              ? Number.NaN
              : i % 17 === 0
                ? Number.POSITIVE_INFINITY
                : Math.max(v, 0),
      );
      setSpecialWindows(values, channels, false);
      const run = () =>
        tf.tidy(() => {
          const input = tf.tensor4d(values, shape as [number, number, number, number]);
          const output = tf.maxPool(input, size, stride, pad);
          const dy = tf.tensor(randomData(output.size, 32), output.shape);
          return tf
            .engine()
            .runKernel(
              'MaxPoolGrad',
              { dy, input, output },
              { filterSize: size, strides: stride, pad },
            ) as tf.Tensor;
        });
      const cpu = await on('cpu', () => {
        const t = run();
        const v = t.dataSync();
        t.dispose();
        return v;
      });
      const wasm = await on('wasm', () => {
        const t = run();
        const v = t.dataSync();
        t.dispose();
        return v;
      });
      expect(Array.from(wasm)).toEqual(Array.from(cpu));
    },
  );

  it('the stock wasm MaxPoolGrad misroutes windows whose inputs are all ≤ 0 (why it is replaced)', async () => {
    const args: [Pool, number[], number, number, PoolPad, number] = [
      'max',
      [1, 2, 4, 1],
      2,
      2,
      'valid',
      -2,
    ];
    const cpu = await on('cpu', () => poolGradient(...args));
    unregisterWasmTrainingKernels();
    try {
      const stock = await on('wasm', () => poolGradient(...args));
      expect(Array.from(stock)).not.toEqual(Array.from(cpu));
    } finally {
      registerWasmTrainingKernels();
    }
    const ours = await on('wasm', () => poolGradient(...args));
    expect(Array.from(ours)).toEqual(Array.from(cpu));
  });
});

describe('MaxPool on wasm equals the cpu backend’s, bit for bit', () => {
  /** Float32 bits of the pooled values (NaN canonical). */
  const pooled = (values: number[], shape: number[], size: number, stride: number, pad: PoolPad) =>
    tf.tidy(() => {
      const y = tf.maxPool(
        tf.tensor4d(values, shape as [number, number, number, number]),
        size,
        stride,
        pad,
      );
      return Array.from(y.dataSync(), (v) =>
        Number.isNaN(v) ? 'NaN' : new Uint32Array(new Float32Array([v]).buffer)[0],
      );
    });

  it.each([
    ['2×2 tiled, 3 channels (scalar)', 3, 2, 2, 'valid'],
    ['2×2 tiled, 8 channels (WebAssembly SIMD)', 8, 2, 2, 'valid'],
    ['2×2 tiled, 6 channels (SIMD and scalar)', 6, 2, 2, 'valid'],
    ['3×3 stride 2 same (the stock kernel)', 4, 3, 2, 'same'],
  ] as const)(
    '%s: NaN passed over, ±0 in window order, all −∞ or NaN gives −∞',
    async (_n, channels, size, stride, pad) => {
      const shape = [2, 6, 6, channels];
      const special = size === 2;
      const values = Array.from(randomData(2 * 6 * 6 * channels, 41), (v, i) =>
        !special
          ? v
          : i % 5 === 0
            ? 0
            : i % 7 === 0
              ? -0
              : i % 11 === 0
                ? Number.NEGATIVE_INFINITY
                : i % 13 === 0
                  ? Number.NaN
                  : v,
      );
      if (special) setSpecialWindows(values, channels, true);
      const cpu = await on('cpu', () => pooled(values, shape, size, stride, pad));
      const wasm = await on('wasm', () => pooled(values, shape, size, stride, pad));
      expect(wasm).toEqual(cpu);
    },
  );
});
