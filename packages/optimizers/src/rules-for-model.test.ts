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
