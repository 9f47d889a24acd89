import { L1 } from '@bregman/core-prox';
import {
  AdaBreg,
  FUSED_ADAM_STEP_KERNEL,
  FUSED_MOMENTUM_STEP_KERNEL,
  FUSED_SGD_STEP_KERNEL,
  type FusedMirrorAttrs,
  LinBreg,
} from '@bregman/optimizers';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFlatMemory, loadWasm, on, randomData } from '../backends.test-helper.js';
import { registerWasmTrainingKernels } from './register.js';
import { setWasmSimdKernelsEnabled } from './simd/instance.js';

beforeAll(loadWasm);

const adam = {
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8 * Math.sqrt(1 - 0.999 ** 3),
  scale: (1e-3 * Math.sqrt(1 - 0.999 ** 3)) / (1 - 0.9 ** 3),
};

/** The mirror step's end as the optimizers' separate operations compute it. */
function mirror(target: tf.Tensor, d: tf.Tensor, a: FusedMirrorAttrs): tf.Tensor[] {
  const next = tf.sub(target, tf.mul(d, a.targetScale));
  if (a.threshold < 0) return [next];
  const u = tf.mul(next, a.delta);
  return [next, tf.sub(u, tf.clipByValue(u, -a.threshold, a.threshold))];
}

/** AdaBreg's and LinBreg's updates as their separate tfjs operations compute them. */
const separate = {
  [FUSED_ADAM_STEP_KERNEL]: (i: Record<string, tf.Tensor>, a: FusedMirrorAttrs) => {
    const first = tf.add(tf.mul(i.m1!, adam.beta1), tf.mul(i.gradient!, 1 - adam.beta1));
    const second = tf.add(
      tf.mul(i.m2!, adam.beta2),
      tf.mul(tf.square(i.gradient!), 1 - adam.beta2),
    );
    const d = tf.mul(tf.div(first, tf.add(tf.sqrt(second), adam.epsilon)), adam.scale);
    return [first, second, ...mirror(i.target!, d, a)];
  },
  [FUSED_SGD_STEP_KERNEL]: (i: Record<string, tf.Tensor>, a: FusedMirrorAttrs) =>
    mirror(i.target!, tf.mul(i.gradient!, 0.05), a),
  [FUSED_MOMENTUM_STEP_KERNEL]: (i: Record<string, tf.Tensor>, a: FusedMirrorAttrs) => {
    const next = tf.add(tf.mul(i.m!, 0.9), tf.mul(i.gradient!, (1 - 0.9) * 0.05));
    return [next, ...mirror(i.target!, next, a)];
  },
};

function operands(kernel: string, n: number): Record<string, tf.Tensor> {
  const gradient = tf.tensor1d(randomData(n, 1));
  // targets around the threshold, so that the prox keeps some entries and zeros others
  const target = tf.tensor1d(randomData(n, 5)).mul(0.3);
  if (kernel === FUSED_SGD_STEP_KERNEL) return { gradient, target };
  if (kernel === FUSED_MOMENTUM_STEP_KERNEL) {
    return { gradient, m: tf.tensor1d(randomData(n, 2)).mul(0.1), target };
  }
  return {
    gradient,
    m1: tf.tensor1d(randomData(n, 2)).mul(0.1),
    // second moments are ≥ 0; a few zeros, where ε alone keeps the division finite
    m2: tf
      .tensor1d(randomData(n, 3))
      .square()
      .mul(0.01)
      .mul(tf.tensor1d(randomData(n, 4)).greater(-0.8)),
    target,
  };
}

const extraAttrs = (kernel: string) =>
  kernel === FUSED_ADAM_STEP_KERNEL
    ? adam
    : kernel === FUSED_MOMENTUM_STEP_KERNEL
      ? { momentum: 0.9, scale: (1 - 0.9) * 0.05 }
      : { learningRate: 0.05 };

const KERNELS = [FUSED_ADAM_STEP_KERNEL, FUSED_SGD_STEP_KERNEL, FUSED_MOMENTUM_STEP_KERNEL];

describe.each([
  ['WebAssembly SIMD', true],
  ['JavaScript', false],
])('the fused update kernels on wasm (%s)', (_name, simd) => {
  beforeAll(() => setWasmSimdKernelsEnabled(simd));
  afterAll(() => setWasmSimdKernelsEnabled(true));

  const mirrors: [string, FusedMirrorAttrs][] = [
    ['v, ℓ1 prox fused', { targetScale: 1, delta: 1, threshold: 0.1 }],
    ['v, δ = 1.5, ℓ1 prox fused', { targetScale: 1, delta: 1.5, threshold: 0.15 }],
    [
      'weights stepped directly, scaled by δ = 2.5',
      { targetScale: 2.5, delta: 2.5, threshold: -1 },
    ],
  ];
  it.each(
    KERNELS.flatMap((kernel) =>
      mirrors.flatMap(([label, a]) => [1, 7, 1001].map((n) => [kernel, label, a, n] as const)),
    ),
  )(
    '%s (%s, %i floats) equals the separate float32 operations bit for bit',
    async (kernel, _l, a, n) => {
      const { fused, reference } = await on('wasm', () =>
        tf.tidy(() => {
          const inputs = operands(kernel, n);
          const attrs = { ...extraAttrs(kernel), ...a };
          const out = tf
            .engine()
            .runKernel(kernel, inputs, attrs as never) as unknown as tf.Tensor[];
          return {
            fused: out.map((t) => Array.from(t.dataSync())),
            reference: separate[kernel as keyof typeof separate](inputs, a).map((t) =>
              Array.from(t.dataSync()),
            ),
          };
        }),
      );
      expect(fused).toEqual(reference);
    },
  );

  it.each(KERNELS)('%s allocates nothing but its outputs', async (kernel) => {
    await expectFlatMemory(
      () =>
        on('wasm', () =>
          tf.tidy(() => {
            const attrs = { ...extraAttrs(kernel), targetScale: 1, delta: 1, threshold: 0.1 };
            const out = tf
              .engine()
              .runKernel(kernel, operands(kernel, 33), attrs as never) as unknown as tf.Tensor[];
            out.at(-1)!.dataSync();
          }),
        ),
      3,
    );
  });
});

describe('the fused update kernels on wasm', () => {
  it('refuse inputs of other shapes or dtypes, naming them', async () => {
    await on('wasm', () => {
      const g = tf.ones([4]);
      const short = tf.ones([3]);
      const ints = tf.ones([4], 'int32');
      const attrs = { ...adam, targetScale: 1, delta: 1, threshold: -1 };
      const run = (inputs: Record<string, tf.Tensor>) => () =>
        tf
          .engine()
          .runKernel(
            FUSED_ADAM_STEP_KERNEL,
            { gradient: g, m1: g, m2: g, target: g, ...inputs },
            attrs as never,
          );
      expect(run({ m2: short })).toThrow(
        /BregmanFusedAdamStep on wasm: m2 must have shape \[4\], got \[3\]/,
      );
      expect(run({ target: ints })).toThrow(
        /BregmanFusedAdamStep on wasm: target must be float32, got int32/,
      );
      expect(() =>
        tf.engine().runKernel(FUSED_SGD_STEP_KERNEL, { gradient: g }, attrs as never),
      ).toThrow(/BregmanFusedSgdStep on wasm: the input 'target' is missing/);
      tf.dispose([g, short, ints]);
    });
  });

  it.each([
    ['AdaBreg', FUSED_ADAM_STEP_KERNEL, () => new AdaBreg({ learningRate: 0.01, rules: rules() })],
    ['LinBreg', FUSED_SGD_STEP_KERNEL, () => new LinBreg({ learningRate: 0.1, rules: rules() })],
    [
      'LinBreg with momentum',
      FUSED_MOMENTUM_STEP_KERNEL,
      () => new LinBreg({ learningRate: 0.1, momentum: 0.9, rules: rules() }),
    ],
  ])(
    '%s trains a Dense model to the same weights with and without it',
    async (_n, kernel, make) => {
      const run = () =>
        on('wasm', async () => {
          const model = tf.sequential({
            layers: [
              tf.layers.dense({
                inputShape: [12],
                units: 9,
                activation: 'relu',
                kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }),
              }),
              tf.layers.dense({
                units: 3,
                kernelInitializer: tf.initializers.glorotNormal({ seed: 2 }),
              }),
            ],
          });
          const optimizer = make();
          model.compile({ optimizer, loss: 'meanSquaredError' });
          const x = tf.tensor2d(randomData(40 * 12, 7), [40, 12]);
          const y = tf.tensor2d(randomData(40 * 3, 8), [40, 3]);
          for (let i = 0; i < 8; i++) await model.trainOnBatch(x, y);
          const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
          tf.dispose([x, y]);
          model.dispose();
          optimizer.dispose();
          return weights;
        });
      const fused = await run();
      tf.unregisterKernel(kernel, 'wasm'); // only this one: the products stay
      try {
        expect(tf.getKernel(kernel, 'wasm')).toBeUndefined();
        const unfused = await run();
        expect(fused).toEqual(unfused);
        // and ℓ1 made some weights exactly zero
        expect(fused[0]!.some((w) => w === 0)).toBe(true);
      } finally {
        registerWasmTrainingKernels();
      }
    },
  );
});

function rules() {
  return [{ match: /kernel$/, regularizer: new L1({ lambda: 0.02 }) }];
}
