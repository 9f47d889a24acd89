import { elasticNet, GroupL12, L1, L1Positive, SparseGroupLasso } from '@bregman/core-prox';
import { expectAllClose } from '@bregman/test-utils';
import { teacherData } from '@bregman/test-utils/layers';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { denseNet } from './fit-model.test-helper.js';
import { SparsityPenalty } from './sparsity-penalty.js';

describe('SparsityPenalty: J(θ) as a tfjs-layers regularizer', () => {
  it('apply(θ) = J(θ) and its gradient is J.subgradient(θ), also 0 (not NaN) on a zero group', () => {
    // column 1 is a zero neuron: d‖θ_g‖/dθ is undefined there, autodiff gives NaN
    const theta = tf.tensor2d([
      [0.5, 0, -1],
      [-0.25, 0, 2],
      [0, 0, 0.5],
    ]);
    for (const J of [
      new L1({ lambda: 0.3 }),
      new GroupL12({ lambda: 0.2, reduceAxes: [0] }),
      new SparseGroupLasso({ lambda: 0.1, reduceAxes: [0] }),
      elasticNet(new L1({ lambda: 0.1 }), 2),
    ]) {
      const penalty = new SparsityPenalty(J);
      const label = J.getConfig().type;
      expectAllClose(penalty.apply(theta).dataSync(), J.value(theta).dataSync(), { label });
      const gradient = tf.grad((t: tf.Tensor) => penalty.apply(t))(theta);
      expect(Array.from(gradient.dataSync()).every(Number.isFinite), label).toBe(true);
      expectAllClose(gradient.dataSync(), J.subgradient(theta).dataSync(), { label });
    }
  });

  it('as kernelRegularizer: the model’s regularization losses are Σ J(kernel), and fit minimizes L + J', async () => {
    const J = new L1({ lambda: 0.01 });
    const model = denseNet(5, { kernelRegularizer: new SparsityPenalty(J) });
    model.compile({ optimizer: tf.train.sgd(1e-9), loss: 'categoricalCrossentropy' });
    const kernels = model.layers.map((l) => l.getWeights()[0]!);
    const expected = kernels.reduce((s, k) => s + J.value(k).dataSync()[0]!, 0);
    const losses = model.calculateLosses();
    expect(losses).toHaveLength(2);
    expectAllClose(
      losses.reduce((s, l) => s + l.dataSync()[0]!, 0),
      expected,
    );

    // the loss that fit reports (and minimizes) is the data loss plus the penalty
    const { x, y } = teacherData(1, 64);
    const dataLoss = (model.evaluate(x, y) as tf.Scalar).dataSync()[0]!;
    const history = await model.fit(x, y, { epochs: 1, batchSize: 64, verbose: 0 });
    expectAllClose(history.history.loss![0] as number, dataLoss + expected, { rtol: 1e-5 });
    model.dispose();
    tf.dispose([x, y]);
  });

  it('refuses L1Positive (+∞ off θ ≥ 0) and anything that is not a core-prox regularizer', () => {
    expect(() => new SparsityPenalty(new L1Positive({ lambda: 0.1 }))).toThrow(
      /SparsityPenalty: regularizer must be finite everywhere; L1Positive .*use ProxGD/,
    );
    expect(() => new SparsityPenalty(elasticNet(new L1Positive({ lambda: 0.1 }), 1))).toThrow(
      /L1Positive/,
    );
    expect(() => new SparsityPenalty({} as L1)).toThrow(
      /SparsityPenalty: regularizer must be a Regularizer from @bregman\/core-prox/,
    );
  });

  it.each([
    ['L1', new L1({ lambda: 0.01 })],
    ['GroupL12', new GroupL12({ lambda: 0.05, reduceAxes: [0] })],
    ['SparseGroupLasso', new SparseGroupLasso({ lambda: 0.02, reduceAxes: [0] })],
    ['ElasticNet(GroupL12)', elasticNet(new GroupL12({ lambda: 0.05, reduceAxes: [0] }), 3)],
  ] as const)('serializes with the model (save → loadLayersModel): %s', async (_name, J) => {
    const model = denseNet(9, { kernelRegularizer: new SparsityPenalty(J) });
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const cls = tf.serialization.SerializationMap.getMap().classNameMap.SparsityPenalty!;
    expect(cls[0]).toBe(SparsityPenalty);
    const penalty = new SparsityPenalty(J);
    const rebuilt = cls[1](
      cls[0],
      JSON.parse(JSON.stringify(penalty.getConfig())),
    ) as SparsityPenalty;
    expect(rebuilt.regularizer.getConfig()).toEqual(J.getConfig());

    // tfjs-layers snake-cases the strings of a layer config on save ('GroupL12' → 'group_l12')
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
    loaded.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    for (const layer of loaded.layers) {
      const reg = (layer as unknown as { kernelRegularizer: SparsityPenalty }).kernelRegularizer;
      expect(reg).toBeInstanceOf(SparsityPenalty);
      expect(reg.regularizer.getConfig()).toEqual(J.getConfig());
    }
    const sum = (m: tf.LayersModel) =>
      m.calculateLosses().reduce((s, l) => s + l.dataSync()[0]!, 0);
    expect(sum(model)).toBeGreaterThan(0);
    expectAllClose(sum(loaded), sum(model));
    loaded.dispose();
    model.dispose();
  });
});
