import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { elasticNet } from './elastic-net.js';
import { GroupL12 } from './group-l12.js';
import { L1 } from './l1.js';
import { L1Positive } from './l1-positive.js';
import { NoRegularizer } from './no-regularizer.js';
import {
  checkOutputLayerPolicy,
  type GraphLayer,
  OUTPUT_LAYER_POLICIES,
  outputKernelLayers,
} from './output-layers.js';
import { SparseGroupLasso } from './sparse-group-lasso.js';

const names = (layers: Set<GraphLayer>) =>
  [...layers].map((l) => (l as unknown as tf.layers.Layer).name).sort();

describe('outputKernelLayers', () => {
  it('finds the last Dense layer of an MLP, through an activation and dropout after it', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [4], units: 8, name: 'hidden' }),
        tf.layers.dense({ units: 3, name: 'logits' }),
        tf.layers.dropout({ rate: 0.1 }),
        tf.layers.activation({ activation: 'softmax' }),
      ],
    });
    expect(names(outputKernelLayers(model as unknown as GraphLayer))).toEqual(['logits']);
    model.dispose();
  });

  it('enters a nested model, follows every output and both branches of a merge', () => {
    const inner = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [6], units: 2, name: 'inner_out' })],
    });
    const input = tf.input({ shape: [5] });
    const trunk = tf.layers.dense({ units: 6, name: 'trunk' }).apply(input) as tf.SymbolicTensor;
    const a = tf.layers.dense({ units: 6, name: 'branch_a' }).apply(trunk) as tf.SymbolicTensor;
    const b = tf.layers
      .conv1d({ filters: 1, kernelSize: 1, name: 'branch_b' })
      .apply(
        tf.layers.reshape({ targetShape: [6, 1] }).apply(trunk) as tf.SymbolicTensor,
      ) as tf.SymbolicTensor;
    const merged = tf.layers
      .add()
      .apply([a, tf.layers.flatten().apply(b) as tf.SymbolicTensor]) as tf.SymbolicTensor;
    const nested = inner.apply(trunk) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: [merged, nested] });
    expect(names(outputKernelLayers(model as unknown as GraphLayer))).toEqual([
      'branch_a',
      'branch_b',
      'inner_out',
    ]);
    model.dispose();
  });

  it('takes the last kernel layer of a plain {layers} list, and finds nothing in a model without kernels', () => {
    const dense = tf.layers.dense({ inputShape: [3], units: 2 });
    const model = tf.sequential({ layers: [dense, tf.layers.activation({ activation: 'relu' })] });
    const plain = { layers: model.layers } as unknown as GraphLayer;
    expect([...outputKernelLayers(plain)]).toEqual([dense]);
    const none = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [2, 2] })] });
    expect(outputKernelLayers(none as unknown as GraphLayer).size).toBe(0);
    model.dispose();
    none.dispose();
  });
});

describe('Regularizer.groupwise and the output layer policy', () => {
  it('says which regularizers can zero whole groups', () => {
    const group = new GroupL12({ lambda: 1, reduceAxes: [0] });
    expect(group.groupwise).toBe(true);
    expect(new SparseGroupLasso({ lambda: 1, reduceAxes: [0] }).groupwise).toBe(true);
    expect(elasticNet(group, 2).groupwise).toBe(true);
    expect(new L1({ lambda: 1 }).groupwise).toBe(false);
    expect(new L1Positive({ lambda: 1 }).groupwise).toBe(false);
    expect(new NoRegularizer().groupwise).toBe(false);
    expect(elasticNet(new L1({ lambda: 1 }), 2).groupwise).toBe(false);
  });

  it('checks a policy by name', () => {
    for (const policy of OUTPUT_LAYER_POLICIES) {
      expect(() => checkOutputLayerPolicy('outputLayer', policy)).not.toThrow();
    }
    expect(() => checkOutputLayerPolicy('rulesForModel: outputLayer', 'skip')).toThrow(
      "rulesForModel: outputLayer must be one of 'entrywiseOnly', 'include', 'exclude', got 'skip'",
    );
  });
});
