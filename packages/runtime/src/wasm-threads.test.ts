import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { L1 } from '@bregman/core-prox';
import { standardize } from '@bregman/models';
import { AdaBreg, LinBreg } from '@bregman/optimizers';
import { packageReadme } from '@bregman/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { startWasmBackend } from './wasm-backend.js';
import { type FilterRoute, forceRoutes, type InputRoute } from './wasm-kernels/routes.js';
import type { GemmThreads } from './wasm-kernels/simd/gemm-threads.js';
import {
  kernelThreadsOf,
  setKernelThreads,
  setWasmThreadsEnabled,
  wasmThreadsEnabled,
} from './wasm-kernels/simd/split-kernels.js';

// One test file, one process (vitest's forks pool): the backend started here runs on 2 threads.
let backend: object;
let pool: GemmThreads;

beforeAll(async () => {
  const started = await startWasmBackend({ threads: 2 });
  expect(started.threads).toBe(2);
  expect(started.simdKernels).toBe(true);
  backend = tf.engine().registry.wasm!;
  pool = kernelThreadsOf(backend) as GemmThreads;
  expect(pool.threads).toBe(2);
});

/**
 * `actual` equals `expected` bit for bit (NaN included); on a difference, the first one and
 * how many there are (a diff of two large arrays would take minutes to print).
 */
function expectSameBits(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(actual.length).toBe(expected.length);
  const a = new Uint32Array(Float32Array.from(actual).buffer);
  const e = new Uint32Array(Float32Array.from(expected).buffer);
  const differ = a.reduce((n, bits, i) => n + (bits === e[i] ? 0 : 1), 0);
  const first = a.findIndex((bits, i) => bits !== e[i]);
  expect(differ, `first at ${first}: ${actual[first]} ≠ ${expected[first]}`).toBe(0);
}

/**
 * The weights of the model `build` makes after `steps` SGD steps (mean squared error, one
 * random batch of `xShape`), trained with the kernels shared among the threads, and on the
 * calling thread alone.
 */
async function trainBothWays(
  build: () => tf.LayersModel,
  xShape: number[],
  steps: number,
): Promise<[number[], number[]]> {
  const train = async () => {
    const model = build();
    model.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError' });
    const x = tf.randomNormal(xShape, 0, 1, 'float32', 8);
    const y = tf.randomNormal(
      model.outputs[0]!.shape.map((d) => d ?? xShape[0]!),
      0,
      1,
      'float32',
      9,
    );
    for (let i = 0; i < steps; i++) await model.trainOnBatch(x, y);
    const weights = model.getWeights().flatMap((w) => Array.from(w.dataSync()));
    tf.dispose([x, y]);
    model.dispose();
    return weights;
  };
  const shared = await train();
  setKernelThreads(backend, undefined);
  const alone = await train().finally(() => setKernelThreads(backend, pool));
  return [shared, alone];
}

/** ℓ1 on every kernel (the layers' weight matrices). */
const l1 = () => [{ match: /kernel$/, regularizer: new L1({ lambda: 0.02 }) }];

/**
 * Computes `f` three ways — its kernels shared among the threads, computed by the other thread
 * alone (the calling thread hands out every chunk and waits), on the calling thread alone — and
 * expects the same bits from all three. Returns the values, and the chunks the other thread
 * computed in the second way (0 when no call was large enough to share).
 */
function expectSameEveryWay(f: () => tf.Tensor): { values: Float32Array; threadChunks: number } {
  const shared = tf.tidy(f).dataSync() as Float32Array;
  const before = pool.threadChunks;
  pool.callerComputes = false;
  let byThread: Float32Array;
  try {
    byThread = tf.tidy(f).dataSync() as Float32Array;
  } finally {
    pool.callerComputes = true;
  }
  const threadChunks = pool.threadChunks - before;
  setKernelThreads(backend, undefined);
  let alone: Float32Array;
  try {
    alone = tf.tidy(f).dataSync() as Float32Array;
  } finally {
    setKernelThreads(backend, pool);
  }
  expectSameBits(shared, alone);
  expectSameBits(byThread, alone);
  return { values: alone, threadChunks };
}

describe('matrix products on 2 threads', () => {
  const shapes: Array<[number, number, number]> = [
    [128, 784, 200], // the MLP's first layer
    [784, 128, 200], // its weight gradient
    [300, 500, 203], // columns that end mid-panel
    [64, 64, 17], // 3 panels, the last one partial
    [1000, 70, 9], // 2 panels
    [5, 3, 4], // too small to share
  ];
  for (const [m, k, n] of shapes) {
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      it(`${m}×${k}·${k}×${n}${ta ? ', a transposed' : ''}${tb ? ', b transposed' : ''}: bit for bit one thread's`, () => {
        const a = tf.randomNormal(ta ? [k, m] : [m, k], 0, 1, 'float32', m + k);
        const b = tf.randomNormal(tb ? [n, k] : [k, n], 0, 1, 'float32', k + n);
        const { threadChunks } = expectSameEveryWay(() => tf.matMul(a, b, ta, tb));
        // the other thread computed shares of every product but the one too small to share
        if (m * k * n >= 1 << 16) expect(threadChunks).toBeGreaterThan(0);
        else expect(threadChunks).toBe(0);
        tf.dispose([a, b]);
      });
    }
  }

  it('a fused product (bias, ReLU) and a batch of products: bit for bit one thread’s', () => {
    const x = tf.randomNormal([96, 150], 0, 1, 'float32', 1);
    const w = tf.randomNormal([150, 72], 0, 1, 'float32', 2);
    const bias = tf.randomNormal([72], 0, 1, 'float32', 3);
    const fused = expectSameEveryWay(() =>
      tf.fused.matMul({ a: x, b: w, bias, activation: 'relu' }),
    );
    expect(fused.threadChunks).toBeGreaterThan(0);
    expect(fused.values.some((v) => v === 0) && fused.values.some((v) => v > 0)).toBe(true);
    const xs = tf.randomNormal([3, 64, 120], 0, 1, 'float32', 4);
    const ws = tf.randomNormal([3, 120, 40], 0, 1, 'float32', 5);
    expect(expectSameEveryWay(() => tf.matMul(xs, ws)).threadChunks).toBeGreaterThan(0);
    tf.dispose([x, w, bias, xs, ws]);
  });

  it('equals the cpu backend to float tolerance', async () => {
    const a = tf.randomNormal([130, 260], 0, 1, 'float32', 6);
    const b = tf.randomNormal([260, 90], 0, 1, 'float32', 7);
    const wasm = tf.matMul(a, b).dataSync();
    const [av, bv] = [a.dataSync(), b.dataSync()];
    await tf.setBackend('cpu');
    const cpu = tf.matMul(tf.tensor(av, [130, 260]), tf.tensor(bv, [260, 90])).dataSync();
    await tf.setBackend('wasm');
    for (let i = 0; i < cpu.length; i++) expect(Math.abs(wasm[i]! - cpu[i]!)).toBeLessThan(1e-3);
    tf.dispose([a, b]);
  });

  it('trains a Dense model exactly as one thread does', async () => {
    const [shared, alone] = await trainBothWays(
      () =>
        tf.sequential({
          layers: [
            tf.layers.dense({
              inputShape: [40],
              units: 64,
              activation: 'relu',
              kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }),
            }),
            tf.layers.dense({
              units: 24,
              kernelInitializer: tf.initializers.glorotNormal({ seed: 2 }),
            }),
          ],
        }),
      [128, 40],
      3,
    );
    expectSameBits(shared, alone);
  });
});

describe('convolutions on 2 threads', () => {
  type Pad = 'same' | 'valid';
  const cases: Array<{
    name: string;
    x: [number, number, number, number];
    w: [number, number, number, number];
    strides: [number, number];
    pad: Pad;
  }> = [
    {
      name: '3 × 3, same, 16 → 24',
      x: [4, 12, 12, 16],
      w: [3, 3, 16, 24],
      strides: [1, 1],
      pad: 'same',
    },
    {
      name: '3 × 3, stride 2, 8 → 40',
      x: [3, 13, 11, 8],
      w: [3, 3, 8, 40],
      strides: [2, 2],
      pad: 'same',
    },
    {
      name: '5 × 5, valid, 1 → 32',
      x: [5, 16, 16, 1],
      w: [5, 5, 1, 32],
      strides: [1, 1],
      pad: 'valid',
    },
    { name: '1 × 1, 32 → 20', x: [2, 9, 9, 32], w: [1, 1, 32, 20], strides: [1, 1], pad: 'valid' },
  ];
  const routes: Array<{ filter: FilterRoute; input: InputRoute }> = [
    { filter: 'simd-gemm', input: 'simd-gemm' },
    { filter: 'simd-tiled', input: 'direct-simd' },
  ];
  for (const c of cases) {
    for (const route of routes) {
      it(`${c.name}, ${route.filter} / ${route.input}: y, dx, dW bit for bit one thread's`, () => {
        const x = tf.randomNormal(c.x, 0, 1, 'float32', 11);
        const w = tf.randomNormal(c.w, 0, 1, 'float32', 12);
        const bias = tf.randomNormal([c.w[3]], 0, 1, 'float32', 13);
        forceRoutes({ forward: 'simd-gemm', ...route });
        try {
          const conv = (a: tf.Tensor, b: tf.Tensor) =>
            tf.fused.conv2d({
              x: a as tf.Tensor4D,
              filter: b as tf.Tensor4D,
              strides: c.strides,
              pad: c.pad,
              bias,
              activation: 'relu',
            });
          const r = tf.randomNormal(conv(x, w).shape, 0, 1, 'float32', 14);
          const all = () => {
            const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
              tf.sum(tf.mul(conv(a, b), r)),
            )([x, w]);
            return tf.concat([conv(x, w).flatten(), dx!.flatten(), dw!.flatten()]);
          };
          const { values, threadChunks } = expectSameEveryWay(all);
          expect(threadChunks).toBeGreaterThan(0);
          expect(values.some((v) => v !== 0)).toBe(true);
          r.dispose();
        } finally {
          forceRoutes({});
          tf.dispose([x, w, bias]);
        }
      });
    }
  }

  it('trains a convolutional model exactly as one thread does', async () => {
    const [shared, alone] = await trainBothWays(
      () =>
        tf.sequential({
          layers: [
            tf.layers.conv2d({
              inputShape: [14, 14, 3],
              filters: 16,
              kernelSize: 3,
              padding: 'same',
              activation: 'relu',
              kernelInitializer: tf.initializers.glorotNormal({ seed: 3 }),
            }),
            tf.layers.conv2d({
              filters: 24,
              kernelSize: 3,
              strides: 2,
              activation: 'relu',
              kernelInitializer: tf.initializers.glorotNormal({ seed: 4 }),
            }),
            tf.layers.flatten(),
            tf.layers.dense({
              units: 5,
              kernelInitializer: tf.initializers.glorotNormal({ seed: 5 }),
            }),
          ],
        }),
      [16, 14, 14, 3],
      2,
    );
    expectSameBits(shared, alone);
  });
});

describe('pooling gradient, sums, element-wise kernels and the optimizers’ updates on 2 threads', () => {
  const both = (f: () => tf.Tensor) => {
    const { values, threadChunks } = expectSameEveryWay(f);
    expect(threadChunks).toBeGreaterThan(0);
    expect(values.some((v) => v !== 0)).toBe(true);
  };

  it("MaxPool and MaxPoolGrad (2 × 2, stride 2): bit for bit one thread's", () => {
    const x = tf.randomNormal([8, 32, 32, 16], 0, 1, 'float32', 31);
    both(() => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid'));
    both(() => tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid').sum())(x));
    x.dispose();
  });

  it("Sum and Mean over the leading axes: bit for bit one thread's", () => {
    const x = tf.randomNormal([64, 32, 36], 0, 1, 'float32', 32);
    both(() => tf.concat([tf.sum(x, [0, 1]), tf.mean(x, 0).flatten()]));
    x.dispose();
  });

  it("element-wise arithmetic with a vector, a value, an equal shape; batch norm, Relu, Step: bit for bit one thread's", () => {
    const x = tf.randomNormal([16, 16, 16, 64], 0, 1, 'float32', 35);
    const v = tf.randomNormal([64], 0, 1, 'float32', 36);
    const w = tf.randomNormal([1, 1, 1, 64], 0, 1, 'float32', 37);
    both(() =>
      tf.concat([
        tf.mul(x, w).flatten(),
        tf.div(v, x).flatten(),
        tf.sub(x, tf.scalar(0.5)).flatten(),
        tf.add(x, x).flatten(),
        tf.batchNorm(x, w, tf.abs(w), w, w, 1e-3).flatten(),
        tf.relu(x).flatten(),
        tf.step(x, 0.1).flatten(),
      ]),
    );
    tf.dispose([x, v, w]);
  });

  it("element-wise arithmetic with one value per row, Exp (softmax's): shared, bit for bit one thread's", () => {
    const x = tf.randomNormal([512, 300], 0, 1, 'float32', 40);
    const c = tf.randomNormal([512, 1], 0, 1, 'float32', 41);
    both(() => tf.sub(x, c)); // the stock kernel would leave the other thread idle
    both(() => tf.div(c, x));
    const d = tf.sub(x, c);
    both(() => tf.exp(d)); // Exp: shared too
    both(() => tf.log(tf.abs(d))); // Log too
    both(() => tf.sqrt(tf.abs(d))); // Sqrt and Square (tfjs's Adam) too
    both(() => tf.square(d));
    tf.dispose([x, c, d]);
  });

  it("the Standardize layer's (x − mean) / std, one value or one per channel: shared, bit for bit one thread's", () => {
    const x = tf.randomNormal([128, 784], 0, 1, 'float32', 42);
    const images = tf.randomNormal([32, 16, 16, 8], 0, 1, 'float32', 43);
    const [m, s] = [tf.tensor1d([0.1307]), tf.tensor1d([0.3081])];
    const mc = tf.randomNormal([8], 0, 1, 'float32', 44);
    const sc = tf.abs(tf.randomNormal([8], 0, 1, 'float32', 45));
    both(() => standardize(x, m, s));
    both(() => standardize(images, mc, sc));
    tf.dispose([x, images, m, s, mc, sc]);
  });

  it("Tile (BatchNorm's gradient, and 3 axes each repeated): bit for bit one thread's", () => {
    const v = tf.randomNormal([1, 1, 1, 64], 0, 1, 'float32', 38);
    const x = tf.randomNormal([3, 5, 7], 0, 1, 'float32', 39);
    both(() =>
      tf.concat([tf.tile(v, [16, 32, 32, 1]).flatten(), tf.tile(x, [4, 300, 2]).flatten()]),
    );
    tf.dispose([v, x]);
  });

  it.each([
    ['LinBreg', () => new LinBreg({ learningRate: 0.1, rules: l1() })],
    ['LinBreg with momentum', () => new LinBreg({ learningRate: 0.1, momentum: 0.9, rules: l1() })],
    ['AdaBreg', () => new AdaBreg({ learningRate: 0.01, rules: l1() })],
  ])("%s's fused update of a 300 × 512 kernel: bit for bit one thread's", (_n, make) => {
    const train = () => {
      const model = tf.sequential({
        layers: [
          tf.layers.dense({
            inputShape: [300],
            units: 512,
            kernelInitializer: tf.initializers.glorotNormal({ seed: 33 }),
          }),
        ],
      });
      const optimizer = make();
      const x = tf.randomNormal([16, 300], 0, 1, 'float32', 34);
      for (let i = 0; i < 3; i++) {
        optimizer.minimize(() => tf.mean(tf.square(model.apply(x) as tf.Tensor)) as tf.Scalar);
      }
      const kernel = model.getWeights()[0]!.clone();
      x.dispose();
      optimizer.dispose();
      model.dispose();
      return kernel;
    };
    both(train);
  });
});

describe('setWasmThreadsEnabled', () => {
  it('off, the calling thread computes alone, the same numbers; on again, the threads share', () => {
    const a = tf.randomNormal([256, 512], 0, 1, 'float32', 21);
    const b = tf.randomNormal([512, 256], 0, 1, 'float32', 22);
    expect(wasmThreadsEnabled()).toBe(true);
    // the calling thread leaves every chunk it hands out to the other thread
    pool.callerComputes = false;
    try {
      setWasmThreadsEnabled(false);
      let before = pool.threadChunks;
      const alone = tf.tidy(() => tf.matMul(a, b).dataSync());
      expect(pool.threadChunks).toBe(before);
      expect(wasmThreadsEnabled()).toBe(false);
      setWasmThreadsEnabled(true);
      before = pool.threadChunks;
      const shared = tf.tidy(() => tf.matMul(a, b).dataSync());
      expect(pool.threadChunks).toBeGreaterThan(before);
      expectSameBits(shared, alone);
    } finally {
      pool.callerComputes = true;
      setWasmThreadsEnabled(true);
    }
    tf.dispose([a, b]);
  });
});

describe('startWasmBackend: threads', () => {
  it.each([0, 1.5, 9, Number.NaN, -2])(
    'refuses %s, naming the argument and the range',
    async (threads) => {
      await expect(startWasmBackend({ threads })).rejects.toThrow(
        /startWasmBackend: threads must be an integer from 1 to 8, got/,
      );
    },
  );

  it('refuses another thread count once the backend runs, and accepts the same', async () => {
    await expect(startWasmBackend({ threads: 1 })).rejects.toThrow(
      /already runs on 2 thread\(s\), not 1; remove it first/,
    );
    await expect(startWasmBackend({ threads: 2 })).resolves.toMatchObject({ threads: 2 });
  });

  it('the README example of "One process on every core" runs', async () => {
    const printed = await packageReadme(import.meta.url, ['runtime']).run(1);
    expect(printed).toEqual(['2 threads: [256,200]']);
  });

  it('a script that computes on 2 threads ends on its own', async () => {
    const script = fileURLToPath(new URL('./test-fixtures/two-threads.mjs', import.meta.url));
    // the timeout only turns a hang into a failure
    const { stdout } = await promisify(execFile)(process.execPath, [script], { timeout: 120_000 });
    expect(stdout).toMatch(/^threads 2, sum -?[\d.]+\n$/);
  });
});
