import { GroupL12, L1, SparseGroupLasso } from '@bregman/core-prox';
import { expectConfigRoundTrip, roundTripRules } from '@bregman/test-utils';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { AdaBreg } from './ada-breg.js';
import { LinBreg } from './lin-breg.js';

const rules = roundTripRules({ L1, GroupL12, SparseGroupLasso });

describe('getConfig / fromConfig', () => {
  it.each([
    ['LinBreg', new LinBreg({ learningRate: 0.3, delta: 2, momentum: 0.8, rules })],
    [
      'AdaBreg',
      new AdaBreg({ learningRate: 1e-3, delta: 0.5, beta1: 0.7, beta2: 0.9, epsilon: 1e-6, rules }),
    ],
  ])(
    '%s round-trips its hyperparameters and rules through JSON and the tfjs registry',
    (name, opt) => {
      expectConfigRoundTrip(opt, rules, name);
    },
  );

  it('learningRate is a public, settable, validated property', () => {
    const opt = new LinBreg({ learningRate: 0.1 });
    opt.learningRate = 0.05;
    expect(opt.learningRate).toBe(0.05);
    expect(opt.getConfig().learningRate).toBe(0.05);
    expect(() => {
      opt.learningRate = -1;
    }).toThrow(/learningRate must be a finite number > 0/);
  });
});

describe('bad hyperparameters are errors naming the argument and the allowed range', () => {
  it.each([
    [
      () => new LinBreg({ learningRate: 0 }),
      /LinBreg: learningRate must be a finite number > 0, got 0/,
    ],
    [() => new LinBreg({ learningRate: Number.NaN }), /learningRate must be a finite number > 0/],
    [
      () => new LinBreg({ learningRate: 0.1, delta: -1 }),
      /LinBreg: delta must be a finite number > 0/,
    ],
    [
      () => new LinBreg({ learningRate: 0.1, momentum: 1 }),
      /LinBreg: momentum must be a number in \[0, 1\), got 1/,
    ],
    [
      () => new LinBreg({ learningRate: 0.1, momentum: -0.1 }),
      /momentum must be a number in \[0, 1\)/,
    ],
    [
      () => new AdaBreg({ learningRate: 0.1, beta1: 1 }),
      /AdaBreg: beta1 must be a number in \[0, 1\)/,
    ],
    [
      () => new AdaBreg({ learningRate: 0.1, beta2: Number.NaN }),
      /AdaBreg: beta2 must be a number in \[0, 1\)/,
    ],
    [
      () => new AdaBreg({ learningRate: 0.1, epsilon: 0 }),
      /AdaBreg: epsilon must be a finite number > 0/,
    ],
    [
      () => new AdaBreg({ learningRate: 0.1, delta: 0 }),
      /AdaBreg: delta must be a finite number > 0/,
    ],
    [
      () =>
        new LinBreg({
          learningRate: 0.1,
          rules: [{ match: 3 as unknown as string, regularizer: new L1({ lambda: 1 }) }],
        }),
      /rules\[0\].match must be a string or a RegExp/,
    ],
    [
      () => new LinBreg({ learningRate: 0.1, rules: [{ match: 'x', regularizer: {} as L1 }] }),
      /rules\[0\].regularizer must be a Regularizer/,
    ],
  ])('%#', (make, message) => {
    expect(make).toThrow(message);
  });

  it('setWeights refuses state of another optimizer kind', async () => {
    const v = tf.variable(tf.ones([2]), true, 'serialization/kernel');
    const ada = new AdaBreg({ learningRate: 0.1 });
    ada.minimize(() => tf.sum(tf.square(v)), false, [v]);
    const lin = new LinBreg({ learningRate: 0.1 });
    await expect(lin.setWeights(await ada.getWeights())).rejects.toThrow(
      /'serialization\/kernel\/m1' is not '<variable>\/<slot>' with slot one of v/,
    );
    const momentum = new LinBreg({ learningRate: 0.1, momentum: 0.5 });
    await expect(
      momentum.setWeights([
        { name: 'iter', tensor: tf.scalar(1) },
        { name: 'a/v', tensor: tf.ones([2]) },
      ]),
    ).rejects.toThrow(/'a' lacks 'a\/m'/);
    v.dispose();
  });
});
