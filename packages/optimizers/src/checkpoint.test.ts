import type { RegularizerRule } from '@bregman/core-prox';
import { GroupL12, L1 } from '@bregman/core-prox';
import { expectAllClose, weightArrays } from '@bregman/test-utils';
import { loadWithOptimizer, saveWithOptimizer, teacherData } from '@bregman/test-utils/layers';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { AdaBreg } from './ada-breg.js';
import type { BregmanOptimizer } from './bregman-optimizer.js';
import { sparseMlp } from './fit-model.test-helper.js';
import { LinBreg } from './lin-breg.js';
import { renameOptimizerWeights } from './optimizer-weights.js';
import { rulesForModel } from './rules-for-model.js';

type Make = (rules: RegularizerRule[]) => BregmanOptimizer;
const optimizers: Array<[string, Make]> = [
  ['LinBreg', (rules) => new LinBreg({ learningRate: 0.1, delta: 2, rules })],
  ['LinBreg β = 0.9', (rules) => new LinBreg({ learningRate: 0.1, momentum: 0.9, rules })],
  ['AdaBreg', (rules) => new AdaBreg({ learningRate: 0.01, delta: 1.5, rules })],
];
const regularizers = () => ({ dense: new GroupL12({ lambda: 0.05, reduceAxes: [0] }) });

async function fitEpochs(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, epochs: number) {
  await model.fit(x, y, { epochs, batchSize: 64, shuffle: false, verbose: 0 });
}

describe('checkpoint round trip: save after k steps, restore into fresh objects, continue', () => {
  it.each(optimizers)('%s: identical to an uninterrupted run', async (_name, make) => {
    const { x, y } = teacherData(11, 256);
    // uninterrupted: 2 + 2 epochs
    const a = sparseMlp(21);
    const optA = make(rulesForModel(a, regularizers()));
    a.compile({ optimizer: optA, loss: 'categoricalCrossentropy' });
    await fitEpochs(a, x, y, 2);
    const savedModel = a.getWeights().map((w) => w.clone());
    const savedState = await Promise.all(
      (await optA.getWeights()).map(async ({ name, tensor }) => ({ name, tensor: tensor.clone() })),
    );
    await fitEpochs(a, x, y, 2);
    const uninterrupted = weightArrays(a);

    // restored: a fresh model (other variable names) and a fresh optimizer
    const b = sparseMlp(99);
    b.setWeights(savedModel);
    const optB = make(rulesForModel(b, regularizers()));
    const mapping = Object.fromEntries(
      a.trainableWeights.map((w, i) => [w.name, b.trainableWeights[i]!.name]),
    );
    expect(Object.entries(mapping).every(([from, to]) => from !== to)).toBe(true);
    await optB.setWeights(renameOptimizerWeights(savedState, mapping));
    expect(optB.iterations).toBe(optA.iterations - 8);
    b.compile({ optimizer: optB, loss: 'categoricalCrossentropy' });
    await fitEpochs(b, x, y, 2);
    expect(weightArrays(b)).toEqual(uninterrupted);

    for (const t of [...savedModel, ...savedState.map((s) => s.tensor), x, y]) t.dispose();
    for (const o of [optA, optB]) o.dispose();
    for (const m of [a, b]) m.dispose();
  });

  it('state restored under other names is an error, not a silent fresh start', async () => {
    const v = tf.variable(tf.ones([3]), true, 'checkpoint-a/kernel');
    const w = tf.variable(tf.ones([3]), true, 'checkpoint-b/kernel');
    const rules = [{ match: /kernel$/, regularizer: new L1({ lambda: 0.1 }) }];
    const first = new LinBreg({ learningRate: 0.1, rules });
    first.minimize(() => tf.sum(tf.square(v)), false, [v]);
    const state = await first.getWeights();
    const second = new LinBreg({ learningRate: 0.1, rules });
    await second.setWeights(state);
    expect(() => second.minimize(() => tf.sum(tf.square(w)), false, [w])).toThrow(
      /no restored state for 'checkpoint-b\/kernel', while the state restored for 'checkpoint-a\/kernel' is unclaimed.*renameOptimizerWeights/,
    );
    tf.dispose([v, w]);
    first.dispose();
    second.dispose();
  });

  it('tf.loadLayersModel with includeOptimizer restores AdaBreg and its state', async () => {
    const { x, y } = teacherData(12, 128);
    const model = sparseMlp(31);
    model.compile({
      optimizer: new AdaBreg({
        learningRate: 0.01,
        rules: rulesForModel(model, { dense: new L1({ lambda: 0.1 }) }),
      }),
      loss: 'categoricalCrossentropy',
    });
    await fitEpochs(model, x, y, 1);
    const artifacts = await saveWithOptimizer(model);
    await fitEpochs(model, x, y, 1);
    const expected = weightArrays(model);

    const { loaded, optimizer } = await loadWithOptimizer(artifacts, model, AdaBreg);
    // the reloaded kernels have other variable names (…/kernel_1) and still match the rules
    expect(optimizer.regularizerFor(loaded.trainableWeights[0]!.name).getConfig().type).toBe('L1');
    await fitEpochs(loaded, x, y, 1);
    const got = weightArrays(loaded);
    for (const [i, w] of got.entries()) {
      expectAllClose(w, expected[i]!, { rtol: 0, atol: 1e-6, label: `weight ${i}` });
    }
    loaded.dispose();
    model.dispose();
    tf.dispose([x, y]);
  });
});
