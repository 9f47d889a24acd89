import { GroupL12, L1, regularizerForName } from '@bregman/core-prox';
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { rulesForModel } from './rules-for-model.js';

it('rulesForModel: Dense and Conv2D kernels get their regularizer, nothing else does', () => {
  const inner = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [8] })] });
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ filters: 2, kernelSize: 3, inputShape: [6, 6, 1] }),
      tf.layers.batchNormalization(),
      tf.layers.flatten(),
      tf.layers.dense({ units: 8 }),
      inner,
    ],
  });
  const dense = new L1({ lambda: 0.1 });
  const conv = new GroupL12({ lambda: 0.2, reduceAxes: [0, 1] });
  const rules = rulesForModel(model, { dense, conv });
  const byName = (w: tf.LayerVariable) => regularizerForName(rules, w.name);
  for (const w of model.trainableWeights) {
    const expected = !w.originalName.endsWith('/kernel')
      ? 'None'
      : w.originalName.startsWith('conv2d')
        ? 'GroupL12'
        : 'L1';
    expect(byName(w).getConfig().type, w.originalName).toBe(expected);
  }
  expect(rules).toHaveLength(3); // conv kernel, dense kernel, nested dense kernel
  expect(rulesForModel(model, { dense })).toHaveLength(2);
  model.dispose();
});

it('rulesForModel: the output layer gets no group regularizer unless asked (issue 19)', () => {
  const model = namedMlp(tf.layers.activation({ activation: 'softmax', name: 'probabilities' }));
  const typeOf = (rules: ReturnType<typeof rulesForModel>, layer: string) =>
    regularizerForName(rules, model.getLayer(layer).weights[0]!.name).getConfig().type;
  const neurons = new GroupL12({ lambda: 0.1, reduceAxes: [0] });

  const byDefault = rulesForModel(model, { dense: neurons });
  expect(['h1', 'h2', 'out'].map((l) => typeOf(byDefault, l))).toEqual([
    'GroupL12',
    'GroupL12',
    'None',
  ]);
  const included = rulesForModel(model, { dense: neurons, outputLayer: 'include' });
  expect(['h1', 'h2', 'out'].map((l) => typeOf(included, l))).toEqual([
    'GroupL12',
    'GroupL12',
    'GroupL12',
  ]);
  // an entry-wise regularizer still reaches the output layer, unless it is excluded
  const l1 = new L1({ lambda: 0.1 });
  expect(typeOf(rulesForModel(model, { dense: l1 }), 'out')).toBe('L1');
  expect(typeOf(rulesForModel(model, { dense: l1, outputLayer: 'exclude' }), 'out')).toBe('None');
  expect(() => rulesForModel(model, { dense: l1, outputLayer: 'none' as never })).toThrow(
    "rulesForModel: outputLayer must be one of 'entrywiseOnly', 'include', 'exclude', got 'none'",
  );
  model.dispose();
});

it('rulesForModel: layers sets a layer’s regularizer by name (another λ, or null: none); unknown names are errors', () => {
  const model = namedMlp();
  const wide = new L1({ lambda: 0.3 });
  const neuron = new GroupL12({ lambda: 0.01, reduceAxes: [0] });
  const rules = rulesForModel(model, {
    dense: new L1({ lambda: 0.1 }),
    layers: { h1: wide, h2: null, out: neuron },
  });
  const lambdaOf = (layer: string) =>
    regularizerForName(rules, `${layer}/kernel`).getConfig() as { type: string; lambda?: number };
  expect(lambdaOf('h1')).toMatchObject({ type: 'L1', lambda: 0.3 });
  expect(lambdaOf('h2').type).toBe('None');
  // named explicitly, the output layer takes a group regularizer (outputLayer does not apply)
  expect(lambdaOf('out').type).toBe('GroupL12');
  expect(() => rulesForModel(model, { dense: wide, layers: { dense_1: wide } })).toThrow(
    "rulesForModel: layers names 'dense_1', not a Dense or convolution layer of the model; its Dense / convolution layers are 'h1', 'h2', 'out'",
  );
  model.dispose();
});

it('rulesForModel: a wrapped Dense layer and every convolution kind get their regularizer', () => {
  const model = tf.sequential({
    layers: [
      tf.layers.conv1d({ filters: 3, kernelSize: 2, inputShape: [6, 2], name: 'c1' }),
      tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 4, name: 'td_dense' }) }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 2, name: 'out' }),
    ],
  });
  const dense = new L1({ lambda: 0.1 });
  const conv = new L1({ lambda: 0.2 });
  const rules = rulesForModel(model, { dense, conv, outputLayer: 'include' });
  const J = (suffix: string) => regularizerForName(rules, variableOf(model, suffix).name);
  expect(J('c1/kernel')).toBe(conv);
  // the metrics counted a TimeDistributed Dense, but no rule regularized it before
  expect(regularizerForName(rules, model.layers[1]!.weights[0]!.name)).toBe(dense);
  expect(J('out/kernel')).toBe(dense);
  expect(J('c1/bias').isZero).toBe(true);
  // a group regularizer laid out for Conv2D kernels would group a Conv1D kernel wrongly
  expect(() =>
    rulesForModel(model, { conv: new GroupL12({ lambda: 0.1, reduceAxes: [0, 1] }) }),
  ).toThrow(
    /rulesForModel: the conv regularizer has groups laid out for Conv2D kernels .*layer 'c1' is Conv1D \(kernel \[2, 2, 3\], neuron groups reduceAxes \[0, 1\], kernel groups \[0\]\): give it its own in layers/,
  );
  const own = new GroupL12({ lambda: 0.1, reduceAxes: [0] });
  expect(
    regularizerForName(
      rulesForModel(model, { layers: { c1: own } }),
      variableOf(model, 'c1/kernel').name,
    ),
  ).toBe(own);
  model.dispose();
});

function variableOf(model: tf.LayersModel, suffix: string): tf.LayerVariable {
  const found = model.weights.find((w) => w.originalName.endsWith(suffix));
  if (!found) throw new Error(`no weight ${suffix}`);
  return found;
}

/** The paper's 784-200-80-10 MLP with Dense layers named h1, h2, out, then `after`. */
function namedMlp(...after: tf.layers.Layer[]): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [784], units: 200, activation: 'relu', name: 'h1' }),
      tf.layers.dense({ units: 80, activation: 'relu', name: 'h2' }),
      tf.layers.dense({ units: 10, name: 'out' }),
      ...after,
    ],
  });
}
