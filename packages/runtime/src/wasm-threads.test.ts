import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { packageReadme } from '@bregman/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { startWasmBackend } from './wasm-backend.js';
import { type SplitGemm, setSplitGemm, splitGemmOf } from './wasm-kernels/simd/split-gemm.js';

// One test file, one process (vitest's forks pool): the backend started here runs on 2 threads.
let backend: object;
let split: SplitGemm;

beforeAll(async () => {
  const started = await startWasmBackend({ threads: 2 });
  expect(started.threads).toBe(2);
  expect(started.simdKernels).toBe(true);
  backend = tf.engine().registry.wasm!;
  split = splitGemmOf(backend)!;
  expect(split.threads).toBe(2);
});

/** `f`'s result with the products shared among the threads, and on the calling thread alone. */
function bothWays(f: () => tf.Tensor): [Float32Array, Float32Array] {
  const shared = tf.tidy(f);
  setSplitGemm(backend, undefined);
  try {
    const alone = tf.tidy(f);
    return [shared.dataSync() as Float32Array, alone.dataSync() as Float32Array];
  } finally {
    setSplitGemm(backend, split);
  }
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
        const [shared, alone] = bothWays(() => tf.matMul(a, b, ta, tb));
        expect(shared).toEqual(alone);
        tf.dispose([a, b]);
      });
    }
  }

  it('a fused product (bias, ReLU) and a batch of products: bit for bit one thread’s', () => {
    const x = tf.randomNormal([96, 150], 0, 1, 'float32', 1);
    const w = tf.randomNormal([150, 72], 0, 1, 'float32', 2);
    const bias = tf.randomNormal([72], 0, 1, 'float32', 3);
    const [fused, fusedAlone] = bothWays(() =>
      tf.fused.matMul({ a: x, b: w, bias, activation: 'relu' }),
    );
    expect(fused).toEqual(fusedAlone);
    expect(fused.some((v) => v === 0) && fused.some((v) => v > 0)).toBe(true);
    const xs = tf.randomNormal([3, 64, 120], 0, 1, 'float32', 4);
    const ws = tf.randomNormal([3, 120, 40], 0, 1, 'float32', 5);
    const [batch, batchAlone] = bothWays(() => tf.matMul(xs, ws));
    expect(batch).toEqual(batchAlone);
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
    const train = async () => {
      const model = tf.sequential({
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
      });
      model.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError' });
      const x = tf.randomNormal([128, 40], 0, 1, 'float32', 8);
      const y = tf.randomNormal([128, 24], 0, 1, 'float32', 9);
      for (let i = 0; i < 3; i++) await model.trainOnBatch(x, y);
      const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
      tf.dispose([x, y]);
      model.dispose();
      return weights;
    };
    const shared = await train();
    setSplitGemm(backend, undefined);
    const alone = await train().finally(() => setSplitGemm(backend, split));
    expect(shared).toEqual(alone);
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
