import { L1 } from '@bregman/core-prox';
import { AdaBreg, FUSED_ADAM_STEP_KERNEL, type FusedAdamStepAttrs } from '@bregman/optimizers';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFlatMemory, loadWasm, on, randomData } from '../backends.test-helper.js';
import { registerWasmTrainingKernels } from './register.js';
import { setWasmSimdKernelsEnabled } from './simd/instance.js';

beforeAll(loadWasm);

const attrs: FusedAdamStepAttrs = {
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8 * Math.sqrt(1 - 0.999 ** 3),
  scale: (1e-3 * Math.sqrt(1 - 0.999 ** 3)) / (1 - 0.9 ** 3),
  targetScale: 1,
};

/** The update as AdaBreg's separate tfjs operations compute it (adamDirection, then v − d·c). */
function separate(g: tf.Tensor, m1: tf.Tensor, m2: tf.Tensor, t: tf.Tensor, a: FusedAdamStepAttrs) {
  const first = tf.add(tf.mul(m1, a.beta1), tf.mul(g, 1 - a.beta1));
  const second = tf.add(tf.mul(m2, a.beta2), tf.mul(tf.square(g), 1 - a.beta2));
  const d = tf.mul(tf.div(first, tf.add(tf.sqrt(second), a.epsilon)), a.scale);
  return [first, second, tf.sub(t, tf.mul(d, a.targetScale))];
}

function operands(n: number) {
  return {
    gradient: tf.tensor1d(randomData(n, 1)),
    m1: tf.tensor1d(randomData(n, 2)).mul(0.1),
    // second moments are ≥ 0; a few zeros, where ε alone keeps the division finite
    m2: tf
      .tensor1d(randomData(n, 3))
      .square()
      .mul(0.01)
      .mul(tf.tensor1d(randomData(n, 4)).greater(-0.8)),
    target: tf.tensor1d(randomData(n, 5)),
  };
}

describe.each([
  ['WebAssembly SIMD', true],
  ['JavaScript', false],
])('BregmanFusedAdamStep on wasm (%s)', (_name, simd) => {
  beforeAll(() => setWasmSimdKernelsEnabled(simd));
  afterAll(() => setWasmSimdKernelsEnabled(true));

  it.each([1, 7, 64, 1001])(
    'equals the separate float32 operations bit for bit (%i floats)',
    async (n) => {
      const run = () =>
        on('wasm', () =>
          tf.tidy(() => {
            const { gradient, m1, m2, target } = operands(n);
            const c = { ...attrs, targetScale: n === 7 ? 2.5 : 1 };
            const fused = tf
              .engine()
              .runKernel(
                FUSED_ADAM_STEP_KERNEL,
                { gradient, m1, m2, target },
                c as never,
              ) as unknown as tf.Tensor[];
            const reference = separate(gradient, m1, m2, target, c);
            return {
              fused: fused.map((t) => Array.from(t.dataSync())),
              reference: reference.map((t) => Array.from(t.dataSync())),
            };
          }),
        );
      const { fused, reference } = await run();
      expect(fused).toEqual(reference);
    },
  );

  it('allocates nothing but its three outputs', async () => {
    await expectFlatMemory(
      () =>
        on('wasm', () =>
          tf.tidy(() => {
            const { gradient, m1, m2, target } = operands(33);
            (
              tf
                .engine()
                .runKernel(
                  FUSED_ADAM_STEP_KERNEL,
                  { gradient, m1, m2, target },
                  attrs as never,
                ) as unknown as tf.Tensor[]
            )[2]!.dataSync();
          }),
        ),
      3,
    );
  });
});

describe('BregmanFusedAdamStep on wasm', () => {
  it('refuses inputs of other shapes or dtypes, naming them', async () => {
    await on('wasm', () => {
      const g = tf.ones([4]);
      const short = tf.ones([3]);
      const ints = tf.ones([4], 'int32');
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
      tf.dispose([g, short, ints]);
    });
  });

  it('AdaBreg trains a Dense model to the same weights with and without it', async () => {
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
        const optimizer = new AdaBreg({
          learningRate: 0.01,
          rules: [{ match: /kernel$/, regularizer: new L1({ lambda: 0.02 }) }],
        });
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
    tf.unregisterKernel(FUSED_ADAM_STEP_KERNEL, 'wasm'); // only this one: the products stay
    try {
      expect(tf.getKernel(FUSED_ADAM_STEP_KERNEL, 'wasm')).toBeUndefined();
      const unfused = await run();
      expect(fused).toEqual(unfused);
    } finally {
      registerWasmTrainingKernels();
    }
  });
});
