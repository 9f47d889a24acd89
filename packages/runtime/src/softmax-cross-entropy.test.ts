import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadWasm, on, randomData } from './backends.test-helper.js';
import {
  SOFTMAX_CROSS_ENTROPY_GRAD_KERNEL,
  SOFTMAX_CROSS_ENTROPY_KERNEL,
  softmaxCrossEntropy,
} from './softmax-cross-entropy.js';
import { WASM_TRAINING_KERNELS } from './wasm-kernels/register.js';
import { setWasmSimdKernelsEnabled } from './wasm-kernels/simd/instance.js';

beforeAll(loadWasm);
afterEach(() => setWasmSimdKernelsEnabled(true));

type Loss = (labels: tf.Tensor, logits: tf.Tensor) => tf.Scalar;
const stock: Loss = (labels, logits) => tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;

/** Logits of `shape`: random in [−scale, scale), with `special` values written from entry 0. */
function logitsOf(shape: number[], scale: number, special: number[] = []): Float32Array {
  const data = randomData(
    shape.reduce((a, b) => a * b, 1),
    shape.length * 31 + shape[shape.length - 1]!,
  ).map((v) => v * scale);
  data.set(special);
  return data;
}

/** One-hot labels of `shape` (class r·7 mod C for row r), or random probabilities. */
function labelsOf(shape: number[], soft: boolean): Float32Array {
  const classes = shape[shape.length - 1]!;
  const rows = shape.reduce((a, b) => a * b, 1) / classes;
  const out = new Float32Array(rows * classes);
  for (let r = 0; r < rows; r++) {
    if (!soft) out[r * classes + ((r * 7) % classes)] = 1;
    else {
      const p = randomData(classes, r + 5).map((v) => v + 1);
      const sum = p.reduce((a, b) => a + b, 0);
      for (let j = 0; j < classes; j++) out[r * classes + j] = p[j]! / sum;
    }
  }
  return out;
}

/** The loss and its gradient with respect to the logits, as float32 bits (NaN canonical). */
async function lossAndGradient(
  backend: 'cpu' | 'wasm',
  loss: Loss,
  labels: Float32Array,
  logits: Float32Array,
  shape: number[],
): Promise<number[]> {
  return on(backend, () =>
    tf.tidy(() => {
      const t = tf.tensor(labels, shape);
      const { value, grads } = tf.valueAndGrads((x: tf.Tensor) => loss(t, x))([
        tf.tensor(logits, shape),
      ]);
      const values = Float32Array.from([...value.dataSync(), ...grads[0]!.dataSync()]);
      return Array.from(values, (v) => (Number.isNaN(v) ? Number.NaN : v)).map(
        (v) => new Uint32Array(new Float32Array([v]).buffer)[0]!,
      );
    }),
  );
}

const CASES: Array<[string, number[], number, boolean, number[]]> = [
  ['the MLP batch: [128, 10], one-hot', [128, 10], 6, false, []],
  ['probabilities as labels', [32, 10], 6, true, []],
  ['large logits (±90)', [64, 10], 90, false, []],
  ['rank 3, 7 classes (rows not a multiple of 4)', [3, 5, 7], 4, true, []],
  ['rank 1: one row', [13], 3, false, []],
  ['one class', [9, 1], 3, false, []],
  ['long rows: [2, 1001]', [2, 1001], 20, true, []],
  [
    'NaN, ±∞ and all −∞ rows',
    [4, 6],
    3,
    false,
    [Number.NaN, 1, 2, 3, 4, 5, Infinity, 0, 0, 0, 0, 0, ...Array(6).fill(-Infinity)],
  ],
];

describe('softmaxCrossEntropy', () => {
  for (const [name, shape, scale, soft, special] of CASES) {
    it(`${name}: the loss and logits gradient of tf.losses.softmaxCrossEntropy on cpu, bit for bit, on wasm (SIMD and JavaScript) and cpu`, async () => {
      const [t, x] = [labelsOf(shape, soft), logitsOf(shape, scale, special)];
      const expected = await lossAndGradient('cpu', stock, t, x, shape);
      expect(await lossAndGradient('wasm', softmaxCrossEntropy, t, x, shape)).toEqual(expected);
      expect(await lossAndGradient('cpu', softmaxCrossEntropy, t, x, shape)).toEqual(expected);
      setWasmSimdKernelsEnabled(false);
      expect(await lossAndGradient('wasm', softmaxCrossEntropy, t, x, shape)).toEqual(expected);
    });
  }

  it('runs as 2 kernels on wasm (the fused ones), tf.losses as ~20', async () => {
    const kernels = (loss: Loss) =>
      on('wasm', async () => {
        const x = tf.tensor(logitsOf([8, 10], 3), [8, 10]);
        const t = tf.tensor(labelsOf([8, 10], false), [8, 10]);
        const info = await tf.profile(() =>
          tf.tidy(() => tf.valueAndGrads((l: tf.Tensor) => loss(t, l))([x]).grads[0]!),
        );
        tf.dispose([x, t]);
        return info.kernels.map((k) => k.name).filter((n) => n !== 'Identity');
      });
    const ours = await kernels(softmaxCrossEntropy);
    expect(ours.filter((n) => n.startsWith('Bregman'))).toEqual([
      SOFTMAX_CROSS_ENTROPY_KERNEL,
      SOFTMAX_CROSS_ENTROPY_GRAD_KERNEL,
    ]);
    expect((await kernels(stock)).length).toBeGreaterThan(ours.length + 10);
    expect(WASM_TRAINING_KERNELS).toEqual(
      expect.arrayContaining([SOFTMAX_CROSS_ENTROPY_KERNEL, SOFTMAX_CROSS_ENTROPY_GRAD_KERNEL]),
    );
  });

  it('takes int32 or bool labels and int32 logits as tf.losses does', async () => {
    const run = (loss: Loss) =>
      on('wasm', () =>
        tf.tidy(
          () =>
            loss(
              tf.tensor2d(
                [
                  [0, 1],
                  [1, 0],
                ],
                [2, 2],
                'int32',
              ),
              tf.tensor2d(
                [
                  [1, 3],
                  [2, -1],
                ],
                [2, 2],
                'int32',
              ),
            ).dataSync()[0],
        ),
      );
    expect(await run(softmaxCrossEntropy)).toBe(await run(stock));
    const bool = await on('wasm', () =>
      tf.tidy(
        () =>
          softmaxCrossEntropy(
            tf.tensor2d([[false, true]], [1, 2], 'bool'),
            tf.tensor2d([[1, 3]]),
          ).dataSync()[0],
      ),
    );
    expect(bool).toBeCloseTo(Math.log(1 + Math.exp(-2)), 6);
  });

  it('trains a model through compile (labels first, logits second) and leaves no tensor behind', async () => {
    await on('wasm', async () => {
      const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4] })] });
      model.compile({ optimizer: tf.train.sgd(0.5), loss: softmaxCrossEntropy });
      const x = tf.tensor2d(randomData(32, 3), [8, 4]);
      const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3);
      const first = (await model.trainOnBatch(x, y)) as number;
      const before = tf.memory().numTensors;
      for (let i = 0; i < 20; i++) await model.trainOnBatch(x, y);
      expect(tf.memory().numTensors).toBe(before);
      expect((await model.trainOnBatch(x, y)) as number).toBeLessThan(first);
      tf.dispose([x, y]);
      model.dispose();
    });
  });

  it('holds the labels fixed: no gradient flows to them', async () => {
    await on('wasm', () => {
      const x = tf.tensor2d([[1, 2]]);
      expect(() =>
        tf.grad((t: tf.Tensor) => softmaxCrossEntropy(t, x))(tf.tensor2d([[0, 1]])),
      ).toThrow(/Cannot compute gradient/);
      x.dispose();
    });
  });

  it('refuses bad input with an error that names it', () => {
    const x = tf.zeros([2, 3]);
    expect(() => softmaxCrossEntropy([[0, 1, 0]] as unknown as tf.Tensor, x)).toThrow(
      /labels must be a tf\.Tensor, got an array/,
    );
    expect(() => softmaxCrossEntropy(x, null as unknown as tf.Tensor)).toThrow(
      /logits must be a tf\.Tensor, got null/,
    );
    expect(() => softmaxCrossEntropy(tf.zeros([2, 4]), x)).toThrow(
      /labels must have the logits' shape \[2, 3\], got \[2, 4\]/,
    );
    expect(() => softmaxCrossEntropy(tf.scalar(1), tf.scalar(1))).toThrow(
      /at least one row and one class .* got shape \[\]/,
    );
    expect(() => softmaxCrossEntropy(tf.zeros([0, 3]), tf.zeros([0, 3]))).toThrow(
      /at least one row and one class/,
    );
    expect(() => softmaxCrossEntropy(x, tf.tensor([['a', 'b', 'c']]))).toThrow(
      /logits must be float32 or int32, got string/,
    );
    tf.dispose(x);
  });
});
