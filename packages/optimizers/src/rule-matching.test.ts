import { L1 } from '@bregman/core-prox';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { AdaBreg } from './ada-breg.js';
import { LambdaScheduler } from './lambda-scheduler.js';
import { LinBreg } from './lin-breg.js';
import { rulesForModel } from './rules-for-model.js';
import { tinyProblem, train } from './test-model.test-helper.js';

function kerasModel() {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [4], units: 5, activation: 'relu' }),
      tf.layers.dense({ units: 2 }),
    ],
  });
  const x = tf.randomNormal([16, 4], 0, 1, 'float32', 1);
  const y = tf.randomNormal([16, 2], 0, 1, 'float32', 2);
  return { model, x, y };
}

describe('a rule that matches no variable', () => {
  it('stops model.fit on its first step, before any update, naming the rule and the variables', async () => {
    const { model, x, y } = kerasModel();
    const before = model.getWeights().map((w) => Array.from(w.dataSync()));
    const optimizer = new LinBreg({
      learningRate: 0.1,
      rules: [{ match: 'dense_1/kernel', regularizer: new L1({ lambda: 0.1 }) }], // Keras naming
    });
    model.compile({ optimizer, loss: 'meanSquaredError' });
    const names = model.trainableWeights.map((w) => `'${w.name}'`).join(', ');
    await expect(model.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0 })).rejects.toThrow(
      `LinBreg: rules[0] (match 'dense_1/kernel') matches none of the 4 variables it updates: ${names}. tfjs names a variable '<layer name>/<weight>'`,
    );
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
    expect(optimizer.iterations).toBe(0);
    model.dispose();
    optimizer.dispose();
    tf.dispose([x, y]);
  });

  it('names every unmatched rule of minimize, with patterns shown as patterns', () => {
    const problem = tinyProblem();
    const optimizer = new AdaBreg({
      learningRate: 0.01,
      rules: [
        { match: /dense1\/kernel$/, regularizer: new L1({ lambda: 0.1 }) },
        { match: /^conv/, regularizer: new L1({ lambda: 0.1 }) },
        { match: 'dense_2/kernel', regularizer: new L1({ lambda: 0.1 }) },
      ],
    });
    expect(() => optimizer.minimize(problem.loss)).toThrow(
      /^AdaBreg: rules\[1\] \(match \/\^conv\/\), rules\[2\] \(match 'dense_2\/kernel'\) match none of the 4 variables it updates: 'tiny\d+\/dense1\/kernel'/,
    );
    optimizer.dispose();
    problem.dispose();
  });

  it('is fine when optional, and optional survives a λ rescaling', () => {
    const problem = tinyProblem();
    const optimizer = new LinBreg({
      learningRate: 0.1,
      rules: [
        { match: /kernel$/, regularizer: new L1({ lambda: 0.01 }) },
        { match: 'conv/kernel', regularizer: new L1({ lambda: 0.01 }), optional: true },
      ],
    });
    train(optimizer, problem, 2);
    optimizer.scaleRegularization(2); // what LambdaScheduler does
    expect(optimizer.rules.map((r) => r.optional)).toEqual([undefined, true]);
    expect(() => train(optimizer, problem, 2)).not.toThrow();
    expect(optimizer.iterations).toBe(4);
    optimizer.dispose();
    problem.dispose();
  });

  it('rules from rulesForModel always match, also with a LambdaScheduler that rescales them', async () => {
    const { model, x, y } = kerasModel();
    const optimizer = new LinBreg({
      learningRate: 0.1,
      rules: rulesForModel(model, { dense: new L1({ lambda: 0.01 }) }),
    });
    model.compile({ optimizer, loss: 'meanSquaredError' });
    const scheduler = new LambdaScheduler({ targetDensity: 0.5, optimizer });
    await model.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0, callbacks: [scheduler] });
    expect(optimizer.iterations).toBe(6);
    model.dispose();
    optimizer.dispose();
    tf.dispose([x, y]);
  });
});
