import { GroupL12, L1 } from '@bregman/core-prox';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { AdaBreg } from './ada-breg.js';
import { LinBreg } from './lin-breg.js';
import { tinyProblem } from './test-model.test-helper.js';

const rules = [
  { match: /dense1\/kernel$/, regularizer: new GroupL12({ lambda: 0.01, reduceAxes: [0] }) },
  { match: /kernel$/, regularizer: new L1({ lambda: 0.01 }) },
];

describe('memory stays flat', () => {
  it.each([
    ['LinBreg', () => new LinBreg({ learningRate: 0.1, delta: 2, rules })],
    ['LinBreg β', () => new LinBreg({ learningRate: 0.1, momentum: 0.9, rules })],
    ['AdaBreg', () => new AdaBreg({ learningRate: 0.01, rules })],
  ])('%s: tf.memory().numTensors is the same after step 10 and step 500', (_name, make) => {
    const problem = tinyProblem(3);
    const optimizer = make();
    const counts: number[] = [];
    for (let step = 1; step <= 500; step++) {
      optimizer.minimize(problem.loss);
      if (step === 10 || step === 500) counts.push(tf.memory().numTensors);
    }
    expect(counts[1]).toBe(counts[0]);
    const before = tf.memory().numTensors;
    optimizer.dispose();
    // the state it owned is gone: one v per regularized variable + the direction's slots
    expect(tf.memory().numTensors).toBeLessThan(before);
    problem.dispose();
  });
});
