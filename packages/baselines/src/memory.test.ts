import { GroupL12, L1 } from '@bregman/core-prox';
import { teacherData } from '@bregman/test-utils/layers';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { denseNet } from './fit-model.test-helper.js';
import { SparsityPenalty } from './sparsity-penalty.js';
import { threshold } from './threshold.js';

describe('no tensor leaks', () => {
  it('threshold leaves tf.memory().numTensors unchanged (entry-wise and by groups)', async () => {
    const model = denseNet(21);
    const before = tf.memory().numTensors;
    await threshold(model, { epsilon: 0.05 });
    await threshold(model, { epsilon: 0.5, groups: true });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('model.fit with SparsityPenalty: numTensors is the same after epoch 2 and epoch 6', async () => {
    const { x, y } = teacherData(2, 64);
    const model = tf.sequential({
      layers: [
        tf.layers.dense({
          units: 16,
          activation: 'relu',
          inputShape: [20],
          kernelRegularizer: new SparsityPenalty(new GroupL12({ lambda: 0.01, reduceAxes: [0] })),
        }),
        tf.layers.dense({
          units: 4,
          activation: 'softmax',
          kernelRegularizer: new SparsityPenalty(new L1({ lambda: 0.01 })),
        }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    const counts: number[] = [];
    await model.fit(x, y, {
      epochs: 6,
      batchSize: 16,
      verbose: 0,
      callbacks: { onEpochEnd: async () => void counts.push(tf.memory().numTensors) },
    });
    expect(counts[5]).toBe(counts[1]);
    model.dispose();
    tf.dispose([x, y]);
  });
});
