import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { bregmanDistance, symmetricBregmanDistance } from './bregman-distance.js';
import { elasticNet } from './elastic-net.js';
import { regularizerFromConfig } from './from-config.js';
import { GroupL12 } from './group-l12.js';
import { L1 } from './l1.js';
import { L1Positive } from './l1-positive.js';
import { NoRegularizer } from './no-regularizer.js';
import type { Regularizer } from './regularizer.js';
import { SparseGroupLasso } from './sparse-group-lasso.js';

const all: Regularizer[] = [
  new L1({ lambda: 0.2 }),
  new L1Positive({ lambda: 0.2 }),
  new GroupL12({ lambda: 0.2, reduceAxes: [0, 1] }),
  new SparseGroupLasso({ lambda: 0.2, reduceAxes: [0] }),
  new NoRegularizer(),
  elasticNet(new GroupL12({ lambda: 0.2, reduceAxes: [0] }), 2),
];

describe('no tensor leaks', () => {
  it.each(all.map((J) => [J.getConfig().type, J] as const))(
    '%s: every method leaves only the tensor it returns',
    (_type, J) => {
      const a = tf.randomUniform([3, 3, 2, 2], 0, 1);
      const b = tf.randomUniform([3, 3, 2, 2], 0, 1);
      const before = tf.memory().numTensors;
      const results = [
        J.value(a),
        J.prox(a, 0.5),
        J.subgradient(a),
        bregmanDistance(J, a, b),
        symmetricBregmanDistance(J, a, b),
      ];
      expect(tf.memory().numTensors).toBe(before + results.length);
      tf.dispose(results);
      expect(tf.memory().numTensors).toBe(before);
      expect(() => J.prox(a, -1)).toThrow();
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([a, b]);
    },
  );
});

describe('getConfig / regularizerFromConfig round trip', () => {
  it.each(all.map((J) => [J.getConfig().type, J] as const))('%s', (_type, J) => {
    const config = JSON.parse(JSON.stringify(J.getConfig()));
    const rebuilt = regularizerFromConfig(config);
    expect(rebuilt.getConfig()).toEqual(J.getConfig());
    tf.tidy(() => {
      const x = tf.randomNormal([3, 3, 2, 2]);
      expect(Array.from(rebuilt.prox(x, 0.7).dataSync())).toEqual(
        Array.from(J.prox(x, 0.7).dataSync()),
      );
    });
  });
});
