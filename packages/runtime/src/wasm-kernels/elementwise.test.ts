import { expectAllClose } from '@bregman/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadWasm, on, randomData } from '../backends.test-helper.js';

beforeAll(loadWasm);

const OPS = {
  Add: tf.add,
  Sub: tf.sub,
  Multiply: tf.mul,
  RealDiv: tf.div,
} as const;

/** Shapes of a and b: every broadcast the SIMD kernel takes, and one it leaves to tfjs. */
const CASES: Array<[string, number[], number[]]> = [
  ['equal shapes', [3, 5, 7], [3, 5, 7]],
  ['b a vector along the last axis', [3, 5, 7], [7]],
  ['b [1, 1, 7]', [3, 5, 7], [1, 1, 7]],
  ['a a vector along the last axis', [1, 1, 7], [3, 5, 7]],
  ['b one value', [3, 5, 7], []],
  ['a one value', [1], [3, 5, 7]],
  ['equal sizes, a leading 1', [1, 5, 7], [5, 7]],
  ['b one value per row', [3, 5, 7], [3, 5, 1]],
  ['a one value per row, fewer axes', [5, 1], [1, 5, 7]],
  ['a broadcast it leaves to tfjs', [3, 1, 7], [1, 5, 7]],
  ['a column it leaves to tfjs (it repeats along an axis)', [3, 5, 7], [5, 1]],
];

/** a's or b's values: random, with zeros, infinities and NaN among them. */
function values(shape: number[], seed: number): tf.Tensor {
  const data = randomData(
    Math.max(
      1,
      shape.reduce((p, q) => p * q, 1),
    ),
    seed,
  );
  if (data.length > 8) [data[1], data[3], data[5], data[7]] = [0, Infinity, -Infinity, Number.NaN];
  return tf.tensor(data, shape);
}

describe('Add, Sub, Multiply, RealDiv on wasm', () => {
  for (const [op, f] of Object.entries(OPS)) {
    for (const [name, sa, sb] of CASES) {
      it(`${op}, ${name}: the cpu backend's float32 results bit for bit`, async () => {
        const run = (backend: 'cpu' | 'wasm') =>
          on(backend, () =>
            tf.tidy(() => {
              const out = f(values(sa, 1), values(sb, 2));
              return { shape: out.shape, data: out.dataSync() as Float32Array };
            }),
          );
        const cpu = await run('cpu');
        const wasm = await run('wasm');
        expect(wasm.shape).toEqual(cpu.shape);
        const bits = (d: Float32Array) => Array.from(new Uint32Array(d.slice().buffer));
        // NaN's payload aside
        const canonical = (d: Float32Array) =>
          bits(d.map((v) => (Number.isNaN(v) ? Number.NaN : v)));
        expect(canonical(wasm.data)).toEqual(canonical(cpu.data));
      });
    }
  }

  it('int32 operands go to the stock kernel', async () => {
    const sum = await on('wasm', () =>
      tf.tidy(() => tf.add(tf.tensor([1, 2, 3], [3], 'int32'), tf.scalar(4, 'int32')).arraySync()),
    );
    expect(sum).toEqual([5, 6, 7]);
  });

  it('a shape mismatch is the stock kernel’s error', async () => {
    await expect(
      on('wasm', () => tf.tidy(() => tf.add(tf.ones([2, 3]), tf.ones([4])))),
    ).rejects.toThrow(/Operands could not be broadcast together/);
  });
});

describe('Relu, Step, Sqrt and Square on wasm', () => {
  // NaN, ±0, ±∞, values around 0, subnormal and huge ones, and a length that ends mid-vector
  const data = [
    Number.NaN,
    0,
    -0,
    Infinity,
    -Infinity,
    1e-30,
    -1e-30,
    2.5,
    -3,
    7,
    1e-40,
    3e38,
    2e-23,
  ];
  it.each([
    ['Relu', (x: tf.Tensor) => tf.relu(x)],
    ['Step (the ReLU gradient)', (x: tf.Tensor) => tf.step(x)],
    ['Step with alpha 0.2', (x: tf.Tensor) => tf.step(x, 0.2)],
    ['Sqrt (tfjs Adam’s)', (x: tf.Tensor) => tf.sqrt(x)],
    ['Sqrt of |x|', (x: tf.Tensor) => tf.sqrt(tf.abs(x))],
    ['Square (tfjs Adam’s)', (x: tf.Tensor) => tf.square(x)],
  ] as const)("%s: the cpu backend's float32 results bit for bit", async (_n, f) => {
    const run = (backend: 'cpu' | 'wasm') =>
      on(backend, () =>
        tf.tidy(() => {
          const x = tf.concat([tf.tensor1d(data), tf.tensor1d(randomData(1001, 9))]);
          return Array.from(new Uint32Array((f(x).dataSync() as Float32Array).slice().buffer));
        }),
      );
    const nan = new Uint32Array(new Float32Array([Number.NaN]).buffer)[0];
    const canonical = (bits: number[]) =>
      bits.map((b) => ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0 ? nan : b));
    expect(canonical(await run('wasm'))).toEqual(canonical(await run('cpu')));
  });

  it('int32 goes to the stock kernel', async () => {
    const r = await on('wasm', () =>
      tf.tidy(() => tf.relu(tf.tensor1d([-2, 3], 'int32')).arraySync()),
    );
    expect(r).toEqual([0, 3]);
  });
});

describe('Exp on wasm', () => {
  /** Float32 bits of e^x for x spread over the whole range where e^x is neither 0 nor ∞ and past it. */
  const run = (backend: 'cpu' | 'wasm', dtype: 'float32' | 'int32' = 'float32') =>
    on(backend, () =>
      tf.tidy(() => {
        const special = [Number.NaN, 0, -0, Infinity, -Infinity, 1e-30, -1e-45, 88.72, 88.73];
        const edges = [-87.3, -103.2, -103.3, -103.97, -104, -110, 1e3, -1e3, 0.5, -0.5];
        const x =
          dtype === 'int32'
            ? tf.tensor1d([-3, 0, 2, 90], 'int32')
            : tf.concat([
                tf.tensor1d([...special, ...edges]),
                tf.randomUniform([100003], -110, 95, 'float32', 11),
                tf.randomUniform([50001], -2, 2, 'float32', 12),
              ]);
        const y = tf.exp(x);
        return { dtype: y.dtype, bits: Array.from(new Uint32Array(y.dataSync().slice().buffer)) };
      }),
    );

  it("float32: the cpu backend's results (Math.exp rounded to float32) bit for bit", async () => {
    const nan = new Uint32Array(new Float32Array([Number.NaN]).buffer)[0];
    const canonical = (bits: number[]) =>
      bits.map((b) => ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0 ? nan : b));
    const [wasm, cpu] = [await run('wasm'), await run('cpu')];
    expect(wasm.bits.length).toBe(150023);
    const first = wasm.bits.findIndex((b, i) => canonical([b])[0] !== canonical([cpu.bits[i]!])[0]);
    expect(first, `first difference at entry ${first}`).toBe(-1);
  });

  it('int32 goes to the stock kernel (a float32 result)', async () => {
    const [wasm, cpu] = [await run('wasm', 'int32'), await run('cpu', 'int32')];
    expect(wasm).toEqual(cpu);
  });
});

describe('Log on wasm', () => {
  /** Float32 bits of log x for x over the whole float32 range, subnormals and special values. */
  const run = (backend: 'cpu' | 'wasm') =>
    on(backend, () =>
      tf.tidy(() => {
        const special = [Number.NaN, 0, -0, Infinity, -Infinity, -1, -1e-30, 1, 2, 0.5, 1e-45];
        const edges = [1e-40, 1.1754944e-38, 3.4028235e38, Math.SQRT1_2, Math.SQRT2, 1.4142137];
        const spread = randomData(100003, 13).map((u) => Math.exp(u * 100));
        const nearOne = randomData(50001, 14).map((u) => 1 + u / 2);
        const x = tf.tensor1d([...special, ...edges, ...spread, ...nearOne]);
        return Array.from(new Uint32Array((tf.log(x).dataSync() as Float32Array).slice().buffer));
      }),
    );

  it("float32: the cpu backend's results (Math.log rounded to float32) bit for bit", async () => {
    const nan = new Uint32Array(new Float32Array([Number.NaN]).buffer)[0];
    const canonical = (b: number) =>
      (b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0 ? nan : b;
    const [wasm, cpu] = [await run('wasm'), await run('cpu')];
    expect(wasm.length).toBe(150021);
    const first = wasm.findIndex((b, i) => canonical(b) !== canonical(cpu[i]!));
    expect(first, `first difference at entry ${first}`).toBe(-1);
  });
});

describe('FusedBatchNorm on wasm', () => {
  const cases: Array<[string, number[], boolean, boolean]> = [
    ['[4, 6, 6, 12], offset and scale [12]', [12], true, true],
    ['parameters [1, 1, 1, 12]', [1, 1, 1, 12], true, true],
    ['no offset', [12], false, true],
    ['no scale', [12], true, false],
  ];
  for (const [name, paramShape, withOffset, withScale] of cases) {
    it(`${name}: the cpu backend's to 1e-6`, async () => {
      const run = (backend: 'cpu' | 'wasm') =>
        on(backend, () =>
          tf.tidy(() => {
            const x = tf.tensor(randomData(4 * 6 * 6 * 12, 3), [4, 6, 6, 12]);
            const mean = tf.tensor(randomData(12, 4), paramShape);
            const variance = tf.abs(tf.tensor(randomData(12, 5), paramShape));
            const offset = withOffset ? tf.tensor(randomData(12, 6), paramShape) : undefined;
            const scale = withScale ? tf.tensor(randomData(12, 7), paramShape) : undefined;
            return tf
              .batchNorm(x, mean, variance, offset as tf.Tensor, scale as tf.Tensor, 1e-3)
              .dataSync() as Float32Array;
          }),
        );
      const cpu = await run('cpu');
      expectAllClose(await run('wasm'), cpu, { rtol: 1e-6, atol: 1e-6, label: name });
    });
  }

  it('parameters that are not vectors along the last axis go to the stock kernel', async () => {
    const run = (backend: 'cpu' | 'wasm') =>
      on(backend, () =>
        tf.tidy(() => {
          const x = tf.tensor(randomData(2 * 3 * 4, 8), [2, 3, 4]);
          const full = tf.tensor(randomData(2 * 3 * 4, 9), [2, 3, 4]);
          return tf.batchNorm(x, full, tf.abs(full), full, full).dataSync() as Float32Array;
        }),
      );
    expectAllClose(await run('wasm'), await run('cpu'), { rtol: 1e-5, atol: 1e-6 });
  });
});
