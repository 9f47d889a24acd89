import { weightsOfNew } from '@bregman/test-utils';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { sparsifyModel } from './sparsify-model.js';
import { densityOf, threeSigma } from './stats.test-helper.js';

/** conv 3×3·32 → flatten → dense 64 → dense 10, plus a nested Sequential. */
function convModel() {
  const inner = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [64], units: 10, name: 'inner_dense' })],
  });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [10, 10, 8], filters: 32, kernelSize: 3, name: 'c1' }),
      tf.layers.batchNormalization({ name: 'bn' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 64, activation: 'relu', name: 'd1' }),
      inner,
    ],
  });
}

/** A layer by name, nested models included. */
function findLayer(model: tf.LayersModel, name: string): tf.layers.Layer {
  for (const layer of model.layers) {
    if (layer.name === name) return layer;
    if (layer instanceof tf.LayersModel) {
      const inner = layer.layers.find((l) => l.name === name);
      if (inner) return inner;
    }
  }
  throw new Error(`no layer ${name}`);
}

const kernelOf = (model: tf.LayersModel, name: string) =>
  findLayer(model, name).getWeights()[0]!.dataSync();

describe('sparsifyModel', () => {
  it('re-initializes every Dense and Conv kernel in place and reports what it drew', () => {
    const model = convModel();
    const variablesBefore = model.weights.map((w) => w.read().id);
    const report = sparsifyModel(model, {
      density: 0.1,
      groups: { dense: 'neuron', conv: 'kernel' },
      bias: 'positiveUniform',
      seed: 3,
    });
    expect(report.layers.map((l) => [l.name, l.className, l.groups])).toEqual([
      ['c1', 'Conv2D', 'kernel'],
      ['d1', 'Dense', 'neuron'],
    ]);
    // the output layer (in the nested model) gets no neuron sparsity by default
    expect(report.outputLayersLeft).toEqual(['inner_dense']);
    // the same variables, written in place (an optimizer that holds them keeps working)
    expect(model.weights.map((w) => w.read().id)).toEqual(variablesBefore);
    for (const entry of report.layers) {
      const values = kernelOf(model, entry.name);
      expect(entry.size).toBe(values.length);
      expect(entry.nonZero).toBe(Math.round(densityOf(values) * values.length));
      expect(entry.density).toBeCloseTo(entry.nonZero / entry.size, 12);
      expect(entry.groupsKept).toBe(entry.nonZero / (entry.size / entry.groupsTotal));
      expect(Math.abs(entry.groupsKept / entry.groupsTotal - 0.1)).toBeLessThanOrEqual(
        threeSigma(0.1, entry.groupsTotal) + 1e-12,
      );
      expect(entry.bias).toBe('positiveUniform');
    }
    expect(report.layers[0]!.groupsTotal).toBe(8 * 32);
    expect(report.layers[1]!.stddev).toBeCloseTo(Math.sqrt(2 / 2048 / 0.1), 10);
    expect(report.nonZero).toBe(report.layers.reduce((n, l) => n + l.nonZero, 0));
    expect(report.density).toBeCloseTo(report.nonZero / report.size, 12);
    // positive uniform biases U(0, 1/√fan_in); BatchNorm is untouched
    const biasD1 = model.getLayer('d1').getWeights()[1]!.dataSync();
    expect(Math.min(...biasD1)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...biasD1)).toBeLessThan(1 / Math.sqrt(2048));
    expect(Math.min(...biasD1)).toBeLessThan(Math.max(...biasD1));
    expect(Array.from(model.getLayer('bn').getWeights()[0]!.dataSync()).every((g) => g === 1)).toBe(
      true,
    );
    // the model still runs
    tf.tidy(() => {
      expect((model.predict(tf.ones([2, 10, 10, 8])) as tf.Tensor).shape).toEqual([2, 10]);
    });
    model.dispose();
  });

  it('pooled over all kernels of a larger MLP the density is within 3σ of r', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [784], units: 200, activation: 'relu' }),
        tf.layers.dense({ units: 80, activation: 'relu' }),
        tf.layers.dense({ units: 10 }),
      ],
    });
    const report = sparsifyModel(model, { density: 0.01, gain: 0.7, seed: 1 });
    expect(report.size).toBe(784 * 200 + 200 * 80 + 800);
    expect(Math.abs(report.density - 0.01)).toBeLessThanOrEqual(threeSigma(0.01, report.size));
    expect(report.layers.every((l) => l.bias === 'keep')).toBe(true);
    model.dispose();
  });

  it('same seed → same weights on two models; another seed → other weights', () => {
    const draw = (seed: number) =>
      weightsOfNew(() => {
        const model = convModel();
        sparsifyModel(model, { density: 0.2, bias: 'positiveUniform', seed });
        return model;
      });
    const a = draw(1);
    expect(draw(1)).toEqual(a);
    const c = draw(2);
    expect(c[0]).not.toEqual(a[0]);
    expect(c[1]).not.toEqual(a[1]);
  });

  it('filter picks the layers; bias zeros; leaves no tensors behind', () => {
    const model = convModel();
    const d1Before = Array.from(kernelOf(model, 'd1'));
    const before = tf.memory().numTensors;
    const report = sparsifyModel(model, {
      density: 0.5,
      bias: 'zeros',
      filter: (layer) => layer.name !== 'd1',
      seed: 1,
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(report.layers.map((l) => l.name)).toEqual(['c1', 'inner_dense']);
    expect(Array.from(kernelOf(model, 'd1'))).toEqual(d1Before);
    expect(Array.from(model.getLayer('c1').getWeights()[1]!.dataSync()).every((b) => b === 0)).toBe(
      true,
    );
    model.dispose();
  });

  it('by default the output layer gets no neuron sparsity: all its classes stay alive (issue 19)', () => {
    const mlp = () =>
      tf.sequential({
        layers: [
          tf.layers.dense({ inputShape: [784], units: 200, activation: 'relu', name: 'h1' }),
          tf.layers.dense({ units: 80, activation: 'relu', name: 'h2' }),
          tf.layers.dense({ units: 10, name: 'out' }),
          tf.layers.activation({ activation: 'softmax' }),
        ],
      });
    const liveOutputs = (model: tf.Sequential) =>
      tf.tidy(
        () =>
          tf
            .sum(tf.notEqual(tf.sum(tf.abs(model.getLayer('out').getWeights()[0]!), 0), 0))
            .dataSync()[0],
      );
    const byDefault = mlp();
    const outBefore = Array.from(kernelOf(byDefault, 'out'));
    const report = sparsifyModel(byDefault, { density: 0.05, groups: 'neuron', seed: 4 });
    expect(report.layers.map((l) => l.name)).toEqual(['h1', 'h2']);
    expect(report.outputLayersLeft).toEqual(['out']); // found through the softmax after it
    expect(Array.from(kernelOf(byDefault, 'out'))).toEqual(outBefore);
    expect(liveOutputs(byDefault)).toBe(10);

    // 'include' is the old behaviour: the same draws for h1 and h2, and 'out' sparsified too
    const included = mlp();
    const all = sparsifyModel(included, {
      density: 0.05,
      groups: 'neuron',
      seed: 4,
      outputLayer: 'include',
    });
    expect(all.layers.map((l) => l.name)).toEqual(['h1', 'h2', 'out']);
    expect(all.outputLayersLeft).toEqual([]);
    expect(Array.from(kernelOf(included, 'h2'))).toEqual(Array.from(kernelOf(byDefault, 'h2')));
    expect(liveOutputs(included)).toBe(all.layers[2]!.groupsKept);
    expect(all.layers[2]!.groupsKept).toBeLessThan(10);

    // entry sparsity still reaches the output layer by default; 'exclude' leaves it alone
    const [entryModel, excludedModel] = [mlp(), mlp()];
    const entry = sparsifyModel(entryModel, { density: 0.05, seed: 4 });
    expect(entry.layers.map((l) => l.name)).toEqual(['h1', 'h2', 'out']);
    const excluded = sparsifyModel(excludedModel, {
      density: 0.05,
      seed: 4,
      outputLayer: 'exclude',
    });
    expect(excluded.layers.map((l) => l.name)).toEqual(['h1', 'h2']);
    expect(excluded.outputLayersLeft).toEqual(['out']);
    for (const model of [byDefault, included, entryModel, excludedModel]) model.dispose();
  });

  it('bad options are errors, and the model is left untouched', () => {
    const model = convModel();
    const before = model.getWeights().map((w) => Array.from(w.dataSync()));
    expect(() => sparsifyModel(model, { density: 0.1, groups: 'kernel' })).toThrow(
      /groups 'kernel' needs a convolution kernel \(rank ≥ 3\), but layer 'd1' has a kernel of shape \[2048, 64\]/,
    );
    expect(() => sparsifyModel(model, { density: 0 })).toThrow(
      /density must be a number in \(0, 1\]/,
    );
    expect(() => sparsifyModel(model, { density: 0.1, bias: 'ones' as never })).toThrow(
      /bias must be one of 'keep', 'zeros', 'positiveUniform'/,
    );
    expect(() => sparsifyModel(model, { density: 0.1, groups: { dense: 'kernel' } })).toThrow(
      /groups.dense must be 'entry' or 'neuron'/,
    );
    expect(() => sparsifyModel(model, { density: 0.1, seed: 0.5 })).toThrow(
      /seed must be an integer/,
    );
    expect(() => sparsifyModel(model, { density: 0.1, outputLayer: 'skip' as never })).toThrow(
      "sparsifyModel: outputLayer must be one of 'entrywiseOnly', 'include', 'exclude', got 'skip'",
    );
    // groups a layer cannot have are an error even on an output layer that would be left out
    const dense = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 })] });
    expect(() => sparsifyModel(dense, { density: 0.1, groups: 'kernel' })).toThrow(
      /groups 'kernel' needs a convolution kernel/,
    );
    dense.dispose();
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
    model.dispose();
  });
});
