import { L1 } from '@bregman/core-prox';
import { expectAllClose } from '@bregman/test-utils';
import * as tf from '@tensorflow/tfjs';
import { describe, it } from 'vitest';
import { AdaBreg } from './ada-breg.js';
import { LinBreg } from './lin-breg.js';
import { tinyProblem, train } from './test-model.test-helper.js';

/** Trains two copies of one problem with two optimizers and compares the weights. */
function expectSameTraining(ours: tf.Optimizer, reference: tf.Optimizer, steps = 30) {
  const a = tinyProblem(7);
  const b = tinyProblem(7);
  const got = train(ours, a, steps);
  const want = train(reference, b, steps);
  for (const [i, w] of got.entries()) {
    expectAllClose(w, want[i]!, { rtol: 1e-5, atol: 1e-6, label: `param ${i}` });
  }
  // and training did move the weights
  const start = tinyProblem(7);
  const moved = start.params.some((p, i) =>
    Array.from(p.dataSync()).some((v, j) => Math.abs(v - want[i]![j]!) > 1e-3),
  );
  if (!moved) throw new Error('the reference optimizer did not change the weights');
  ours.dispose();
  reference.dispose();
  for (const p of [a, b, start]) p.dispose();
}

describe('with no rules and δ = 1 the Bregman optimizers are the classic ones', () => {
  it('LinBreg ≡ tf.train.sgd', () => {
    expectSameTraining(new LinBreg({ learningRate: 0.3 }), tf.train.sgd(0.3));
  });

  it('LinBreg(momentum β) ≡ tf.train.momentum((1 − β)τ, β) (Algorithm 2 with J = 0)', () => {
    expectSameTraining(
      new LinBreg({ learningRate: 0.5, momentum: 0.9 }),
      tf.train.momentum(0.5 * (1 - 0.9), 0.9),
    );
  });

  it('AdaBreg ≡ tf.train.adam (same ε placement)', () => {
    expectSameTraining(
      new AdaBreg({ learningRate: 0.01, beta1: 0.8, beta2: 0.95, epsilon: 1e-6 }),
      tf.train.adam(0.01, 0.8, 0.95, 1e-6),
    );
  });

  it('an optional rule that matches nothing changes nothing', () => {
    const rules = [
      { match: 'no-such-variable', regularizer: new L1({ lambda: 1 }), optional: true },
    ];
    // tf.train.adam's default ε is the backend's (1e-7 on float32), AdaBreg's the paper's 1e-8.
    // With ε that small, Adam amplifies float32 rounding (tfjs accumulates β^k in float32, we
    // compute it in float64) on coordinates with tiny gradients: compare fewer steps.
    expectSameTraining(
      new AdaBreg({ learningRate: 0.01, rules }),
      tf.train.adam(0.01, 0.9, 0.999, 1e-8),
      10,
    );
  });
});
