import * as tf from '@tensorflow/tfjs-core';
import type { Direction } from './direction.js';

/**
 * `m ← βm + (1 − β)τg`, `d = m` (Algorithm 2, paper eq. 2.14): the momentum acts on the
 * subgradient `v`, not on the weights. With `J = 0` this is tfjs's momentum SGD with
 * learning rate `(1 − β)τ`.
 */
export function momentumDirection(momentum: number): Direction {
  return {
    slots: ['m'],
    step: (gradient, [m], learningRate) => {
      const next = tf.add(tf.mul(m!, momentum), tf.mul(gradient, (1 - momentum) * learningRate));
      m!.assign(next);
      return next;
    },
  };
}
