import { GroupL12, L1 } from '@bregman/core-prox';
import { LinBreg, rulesForModel } from '@bregman/optimizers';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { compact } from './compact.js';
import { expectSameFunction } from './compact.test-helper.js';
import { convNet } from './conv-net.js';
import { denoiser } from './denoiser.js';
import { mlp } from './mlp.js';

/** Runs `steps` full-batch steps of model.fit with LinBreg and returns the losses. */
async function trainSteps(
  model: tf.LayersModel,
  x: tf.Tensor,
  y: tf.Tensor,
  loss: string,
  rules: ReturnType<typeof rulesForModel>,
  steps: number,
) {
  const optimizer = new LinBreg({ learningRate: 0.05, rules });
  model.compile({ optimizer, loss });
  const history = await model.fit(x, y, { epochs: steps, batchSize: x.shape[0], verbose: 0 });
  optimizer.dispose();
  return history.history.loss as number[];
}

const weightsOf = (model: tf.LayersModel) =>
  model.getWeights().map((w) => Array.from(w.dataSync()));

describe('the builders train with LinBreg', () => {
  it('mlp 784-200-80-10: sparse init (density ≈ r), ℓ1 on kernels, 3 steps', async () => {
    const model = mlp({
      sizes: [784, 200, 80, 10],
      init: { density: 0.01, gain: 0.7, seed: 1 },
      mean: 0.13,
      std: 0.31,
    });
    const kernels = model.layers.slice(1).map((l) => l.getWeights()[0]!.dataSync());
    const nz = kernels.reduce((n, k) => n + k.filter((v) => v !== 0).length, 0);
    // Binomial(173,600, 0.01): mean 1,736, σ ≈ 41.5
    expect(Math.abs(nz - 1736)).toBeLessThan(3 * 41.5);
    const x = tf.randomUniform([16, 784], 0, 1, 'float32', 2);
    const y = tf.oneHot(tf.randomUniform([16], 0, 10, 'int32', 3), 10);
    const before = weightsOf(model);
    const rules = rulesForModel(model, { dense: new L1({ lambda: 0.01 }) });
    const losses = await trainSteps(model, x, y, 'categoricalCrossentropy', rules, 3);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(weightsOf(model)).not.toEqual(before);
    tf.dispose([x, y]);
    model.dispose();
  });

  // The cpu backend trains convolutions at a few samples per second and the LinBreg step of
  // a 3.7 M-parameter denoiser takes seconds: these tests use the same builders at a
  // smaller size (the full-size builds are tested in builders.test.ts and compact.test.ts).
  it('convNet (16×16, 8 filters): group sparsity, 2 steps; compact computes the same function', async () => {
    const model = convNet({
      inputShape: [16, 16, 1],
      filters: 8,
      hidden: 16,
      init: { density: 0.25, groups: { conv: 'neuron', dense: 'neuron' }, seed: 2 },
      mean: 0.28,
      std: 0.35,
    });
    const x = tf.randomUniform([4, 16, 16, 1], 0, 1, 'float32', 4);
    const y = tf.oneHot(tf.tensor1d([0, 3, 7, 9], 'int32'), 10);
    const before = weightsOf(model);
    const rules = rulesForModel(model, {
      conv: new GroupL12({ lambda: 0.5, reduceAxes: [0, 1, 2] }),
      dense: new GroupL12({ lambda: 0.5, reduceAxes: [0] }),
    });
    const losses = await trainSteps(model, x, y, 'categoricalCrossentropy', rules, 2);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(weightsOf(model)).not.toEqual(before);
    const { model: small, layers, before: cost, after } = compact(model);
    expect(layers[0]!.unitsAfter).toBeLessThan(8);
    expect(after.params).toBeLessThan(cost.params);
    expect(after.flops).toBeLessThan(cost.flops);
    expectSameFunction(model, small, [4, 16, 16, 1]);
    tf.dispose([x, y]);
    model.dispose();
    small.dispose();
  });

  it('denoiser (width 64): neuron sparsity, MSE, 2 steps', async () => {
    const model = denoiser({
      width: 64,
      init: { density: 0.1, groups: { dense: 'neuron' }, seed: 3 },
    });
    const alive = model.layers
      .slice(1)
      .map((l) =>
        tf.tidy(() => tf.sum(tf.notEqual(tf.max(tf.abs(l.getWeights()[0]!), 0), 0)).dataSync()[0]!),
      );
    // Binomial(6·64, 0.1) neurons alive: mean 38.4, σ 5.9
    const total = alive.reduce((a, b) => a + b, 0);
    expect(Math.abs(total - 38.4)).toBeLessThan(3 * 5.88);
    const clean = tf.randomUniform([4, 64], 0, 1, 'float32', 5);
    const noisy = tf.add(clean, tf.randomNormal([4, 64], 0, 0.05, 'float32', 6));
    const rules = rulesForModel(model, { dense: new GroupL12({ lambda: 0.07, reduceAxes: [0] }) });
    const losses = await trainSteps(model, noisy, clean, 'meanSquaredError', rules, 2);
    expect(losses.every(Number.isFinite)).toBe(true);
    tf.dispose([clean, noisy]);
    model.dispose();
  });
});
