import * as tf from '@tensorflow/tfjs-core';
import type { Direction } from './direction.js';
import { fusedMomentumStep } from './fused-steps.js';

/**
 * `m ← βm + (1 − β)τg`, `d = m` (Algorithm 2, paper eq. 2.14): the momentum acts on the
 * subgradient `v`, not on the weights. With `J = 0` this is tfjs's momentum SGD with
 * learning rate `(1 − β)τ`. Where the backend registers `FUSED_MOMENTUM_STEP_KERNEL`
 * (`@bregman/runtime` on wasm), the update of a variable (with an ℓ1 prox, that too) runs as
 * that one kernel, with the same float32 results.
 */
export function momentumDirection(momentum: number): Direction {
  return {
    slots: ['m'],
    step: (gradient, [m], learningRate) => {
      const next = tf.add(tf.mul(m!, momentum), tf.mul(gradient, (1 - momentum) * learningRate));
      m!.assign(next);
      return next;
    },
    fusedStep: (gradient, [m], target, mirror, learningRate) => {
      const scale = (1 - momentum) * learningRate;
      const out = fusedMomentumStep(gradient, m!, target, { momentum, scale, ...mirror });
      if (!out) return undefined;
      m!.assign(out.m);
      return out;
    },
  };
}
