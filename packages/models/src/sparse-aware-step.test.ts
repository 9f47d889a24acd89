import { GroupL12, L1, Rng } from '@bregman/core-prox';
import { AdaBreg, LinBreg, rulesForModel } from '@bregman/optimizers';
import { expectAllClose } from '@bregman/test-utils';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { convNet } from './conv-net.js';
import { denoiser } from './denoiser.js';
import { takesFullGradients } from './live-dense.js';
import { liveUnits, stagePlan } from './live-units.js';
import { mlp } from './mlp.js';
import { ANALYSIS_COST_PER_WEIGHT, SparseAwareStep } from './sparse-aware-step.js';

/**
 * Zeroes whole groups of a kernel `[..., nIn, nOut]`: each (input, output) pair keeps its
 * weights with probability `keep`, each output unit is dead (no incoming weight) with
 * probability `deadOut`, and each input unit with probability `deadIn` has no outgoing one.
 */
function sparsify(kernel: tf.Tensor, rng: Rng, keep: number, deadOut: number, deadIn: number) {
  const shape = kernel.shape;
  const nIn = shape[shape.length - 2]!;
  const nOut = shape[shape.length - 1]!;
  const outDead = Array.from({ length: nOut }, () => rng.uniform() < deadOut);
  const inDead = Array.from({ length: nIn }, () => rng.uniform() < deadIn);
  const pair = Array.from({ length: nIn * nOut }, (_, i) => {
    const f = Math.floor(i / nOut);
    const o = i % nOut;
    return !outDead[o] && !inDead[f] && rng.uniform() < keep;
  });
  const values = kernel.dataSync().slice();
  for (let j = 0; j < values.length; j++) if (!pair[j % (nIn * nOut)]) values[j] = 0;
  return tf.tensor(values, shape);
}

/** Biases in [−0.5, 0.5): some dead units output 0 (ReLU of a negative bias), others not. */
function mixedBias(n: number, rng: Rng) {
  return tf.tensor1d(Array.from({ length: n }, () => rng.uniform() - 0.5));
}

function sparseModel(
  build: () => tf.LayersModel,
  seed: number,
  options: { keep: number; deadOut: number; deadIn: number },
) {
  const model = build();
  const rng = new Rng(seed);
  const weights = model
    .getWeights()
    .map((w) =>
      w.rank === 1
        ? mixedBias(w.shape[0]!, rng)
        : sparsify(w, rng, options.keep, options.deadOut, options.deadIn),
    );
  model.setWeights(weights);
  tf.dispose(weights);
  return model;
}

function batch(shape: number[], classes: number, seed: number) {
  const x = tf.randomNormal([4, ...shape], 0, 1, 'float32', seed);
  const y = tf.oneHot(tf.tensor1d([0, 3, 1, 2], 'int32'), classes);
  return { x, y };
}

async function compare(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor) {
  const loss = (out: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, out) as tf.Scalar;
  const step = new SparseAwareStep(model, { mode: 'sparse' });
  const sparse = await step.gradients(x, loss);
  const dense = await new SparseAwareStep(model, { mode: 'dense' }).gradients(x, loss);
  expect(sparse.sparse).toBe(true);
  expect(Object.keys(sparse.grads).sort()).toEqual(Object.keys(dense.grads).sort());
  expectAllClose(await sparse.value.data(), await dense.value.data(), { rtol: 1e-5, atol: 1e-6 });
  expectAllClose(await sparse.output.data(), await dense.output.data(), { rtol: 1e-4, atol: 1e-5 });
  for (const name of Object.keys(dense.grads)) {
    const d = await dense.grads[name]!.data();
    const s = await sparse.grads[name]!.data();
    // exactly zero where the dense gradient is (no weight gets a gradient it should not)
    const scale = Array.from(d).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    for (let i = 0; i < d.length; i++) {
      if (d[i] === 0) expect(Math.abs(s[i]!)).toBeLessThanOrEqual(scale * 1e-6);
    }
    expectAllClose(s, d, { rtol: 1e-4, atol: scale * 1e-5 + 1e-7 });
  }
  // the products' share; the whole estimate adds the per-step analysis for this batch
  const live = await step.liveUnits();
  // liveUnits of plain values finds the same units as the step's analysis of the variables
  const weighted = stagePlan(model, 'test').stages.flatMap((s) =>
    s.kind === 'weighted' ? [s] : [],
  );
  const values = (t: tf.Tensor | null) => (t ? (t.dataSync() as Float32Array) : null);
  expect(
    liveUnits(
      stagePlan(model, 'test'),
      weighted.map((s) => values(s.kernel)!),
      weighted.map((s) => values(s.bias)),
    ),
  ).toEqual(live);
  const ratio = step.costRatio(live);
  // the analysis is per step: it weighs 1/batch of what it weighs for one example
  expect(sparse.costRatio - ratio).toBeGreaterThan(0);
  expect(sparse.costRatio - ratio).toBeCloseTo((step.costRatio(live, 1) - ratio) / x.shape[0]!, 12);
  tf.dispose([sparse.value, sparse.output, dense.value, dense.output]);
  tf.dispose([...Object.values(sparse.grads), ...Object.values(dense.grads)]);
  return ratio;
}

describe('SparseAwareStep: the live units give the dense step’s loss, output and gradients', () => {
  it.each([1, 2, 3])('MLP 12-16-8-5 with dead and unused neurons (seed %i)', async (seed) => {
    const model = sparseModel(() => mlp({ sizes: [12, 16, 8, 5] }), seed, {
      keep: 0.5,
      deadOut: 0.4,
      deadIn: 0.3,
    });
    const { x, y } = batch([12], 5, seed);
    const ratio = await compare(model, x, y);
    expect(ratio).toBeLessThan(1);
    tf.dispose([x, y]);
    model.dispose();
  });

  it.each([1, 2])(
    'ConvNet (16×16, 6 filters) with dead and unused channels (seed %i)',
    async (seed) => {
      const model = sparseModel(
        () => convNet({ inputShape: [16, 16, 1], filters: 6, hidden: 10, numClasses: 4 }),
        seed,
        { keep: 0.4, deadOut: 0.4, deadIn: 0.3 },
      );
      const { x, y } = batch([16, 16, 1], 4, seed + 10);
      const ratio = await compare(model, x, y);
      expect(ratio).toBeLessThan(1);
      tf.dispose([x, y]);
      model.dispose();
    },
  );
});

describe('SparseAwareStep: Dense layers whose gradients come out at full size', () => {
  it.each([1, 2])(
    'a neuron-sparse denoiser-like MLP: gradient-only units everywhere, the dense gradients (seed %i)',
    async (seed) => {
      // 1 in 5 neurons alive, positive biases: every dead neuron still has a gradient map
      const model = denoiser({
        width: 20,
        hiddenLayers: 3,
        init: { density: 0.2, groups: { dense: 'neuron' }, seed },
      });
      const step = new SparseAwareStep(model, { mode: 'sparse' });
      const live = await step.liveUnits();
      const weighted = stagePlan(model, 'test').stages.flatMap((s) =>
        s.kind === 'weighted' ? [s] : [],
      );
      const full = weighted.map((s, k) =>
        takesFullGradients(s, live[k]!, live[k]!.outputs.length + live[k]!.gradientOutputs.length),
      );
      expect(full.filter(Boolean).length).toBeGreaterThanOrEqual(2);
      expect(live.some((l) => l.gradientOutputs.length > 0)).toBe(true);
      const x = tf.randomUniform([4, 20], 0, 1, 'float32', seed);
      const y = tf.randomUniform([4, 20], 0, 1, 'float32', seed + 1);
      const loss = (out: tf.Tensor) => tf.losses.meanSquaredError(y, out) as tf.Scalar;
      const sparse = await step.gradients(x, loss);
      const dense = await new SparseAwareStep(model, { mode: 'dense' }).gradients(x, loss);
      expect(sparse.sparse).toBe(true);
      expectAllClose(await sparse.value.data(), await dense.value.data(), {
        rtol: 1e-5,
        atol: 1e-7,
      });
      for (const name of Object.keys(dense.grads)) {
        const d = await dense.grads[name]!.data();
        const scale = Array.from(d).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        expectAllClose(await sparse.grads[name]!.data(), d, {
          rtol: 1e-4,
          atol: scale * 1e-5 + 1e-7,
        });
      }
      tf.dispose([x, y, sparse.value, sparse.output, dense.value, dense.output]);
      tf.dispose([...Object.values(sparse.grads), ...Object.values(dense.grads)]);
      model.dispose();
    },
  );
});

describe('SparseAwareStep: 50 Bregman steps land where 50 dense steps do', () => {
  const trajectories = async (
    build: () => tf.LayersModel,
    optimizer: (m: tf.LayersModel) => tf.Optimizer,
  ) => {
    const ends: Array<{
      weights: Float32Array[];
      state: Float32Array[];
      live: number[];
      sparse: number;
    }> = [];
    for (const mode of ['dense', 'sparse'] as const) {
      const model = build();
      const opt = optimizer(model);
      const step = new SparseAwareStep(model, { mode });
      const live: number[] = [];
      let sparse = 0;
      for (let i = 0; i < 50; i++) {
        const { x, y } = batch([16, 16, 1], 4, 100 + i);
        const loss = (out: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, out) as tf.Scalar;
        const result = await step.minimize(opt, x, loss);
        sparse += result.sparse ? 1 : 0;
        tf.dispose([result.value, result.output, x, y]);
        if (mode === 'sparse') live.push((await step.liveUnits())[0]!.outputs.length);
      }
      ends.push({
        weights: await Promise.all(
          model.getWeights().map((w) => w.data() as Promise<Float32Array>),
        ),
        state: await Promise.all(
          (await opt.getWeights()).map((w) => w.tensor.data() as Promise<Float32Array>),
        ),
        live,
        sparse,
      });
      opt.dispose();
      model.dispose();
    }
    return ends;
  };

  it.each(['LinBreg', 'AdaBreg'] as const)(
    '%s with kernel-group sparsity on the convolutions: same weights and state, units born',
    async (name) => {
      const build = () =>
        convNet({
          inputShape: [16, 16, 1],
          filters: 6,
          hidden: 10,
          numClasses: 4,
          init: { density: 0.2, groups: { conv: 'kernel' }, seed: 5 },
        });
      const optimizer = (model: tf.LayersModel) => {
        const rules = rulesForModel(model, {
          dense: new L1({ lambda: 0.01 }),
          conv: new GroupL12({ lambda: 0.01, reduceAxes: [0, 1] }),
        });
        return name === 'LinBreg'
          ? new LinBreg({ learningRate: 0.1, rules })
          : new AdaBreg({ learningRate: 0.01, rules });
      };
      const [dense, sparse] = await trajectories(build, optimizer);
      expect(sparse!.sparse).toBe(50);
      // units were born along the way: the first layer's varying channels grew
      expect(Math.max(...sparse!.live)).toBeGreaterThan(sparse!.live[0]!);
      dense!.weights.forEach((d, i) => {
        const scale = Array.from(d).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        expectAllClose(sparse!.weights[i]!, d, { rtol: 1e-3, atol: scale * 1e-4 + 1e-6 });
      });
      dense!.state.forEach((d, i) => {
        const scale = Array.from(d).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        expectAllClose(sparse!.state[i]!, d, { rtol: 1e-3, atol: scale * 1e-4 + 1e-6 });
      });
    },
  );
});

describe("SparseAwareStep 'auto': the live units where they pay", () => {
  it('a small MLP keeps the dense step at batch 128; the ConvNet at Table 2’s density takes the live units', async () => {
    const net = mlp({
      sizes: [784, 200, 80, 10],
      init: { density: 0.05, groups: { dense: 'neuron' }, seed: 1 },
    });
    const mlpStep = new SparseAwareStep(net);
    const mlpLive = await mlpStep.liveUnits();
    // the products alone would take the live units; the per-step analysis outweighs them
    expect(mlpStep.costRatio(mlpLive)).toBeLessThan(0.6);
    expect(mlpStep.costRatio(mlpLive, 128)).toBeGreaterThan(0.6);
    const weights = 784 * 200 + 200 * 80 + 80 * 10;
    const dense = 3 * weights;
    expect(mlpStep.costRatio(mlpLive, 128) - mlpStep.costRatio(mlpLive)).toBeCloseTo(
      (ANALYSIS_COST_PER_WEIGHT * weights) / 128 / dense,
      12,
    );
    net.dispose();
    const conv = convNet({ init: { density: 0.0115, groups: { conv: 'kernel' }, seed: 1 } });
    const convStep = new SparseAwareStep(conv);
    expect(convStep.costRatio(await convStep.liveUnits(), 128)).toBeLessThan(0.6);
    conv.dispose();
  });
});
