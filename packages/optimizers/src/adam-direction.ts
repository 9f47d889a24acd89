import * as tf from '@tensorflow/tfjs-core';
import type { Direction } from './direction.js';
import { fusedAdamStep } from './fused-steps.js';

/**
 * Adam's bias-corrected moments (Algorithm 3): `m₁ ← β₁m₁ + (1 − β₁)g`,
 * `m₂ ← β₂m₂ + (1 − β₂)g²`, `d = τ·m̂₁/(√m̂₂ + ε)` with `m̂ᵢ = mᵢ/(1 − βᵢᵏ)`. The same
 * ε placement as `tf.train.adam`. The bias corrections are applied as scalars (the same
 * value, two tensor divisions fewer per variable and step). Where the backend registers
 * `FUSED_ADAM_STEP_KERNEL` (`@bregman/runtime` on wasm), the whole update of a variable runs
 * as that one kernel instead of about ten operations, with the same float32 results.
 */
export function adamDirection(beta1: number, beta2: number, epsilon: number): Direction {
  // m̂₁/(√m̂₂ + ε) = (m₁/b₁)·√b₂/(√m₂ + ε√b₂) with bᵢ = 1 − βᵢᵏ, exactly: the bias
  // corrections become two scalars instead of two divisions of whole tensors
  const corrections = (learningRate: number, k: number) => {
    const rootB2 = Math.sqrt(1 - beta2 ** k);
    return { epsilon: epsilon * rootB2, scale: (learningRate * rootB2) / (1 - beta1 ** k) };
  };
  return {
    slots: ['m1', 'm2'],
    step: (gradient, [m1, m2], learningRate, k) => {
      const first = tf.add(tf.mul(m1!, beta1), tf.mul(gradient, 1 - beta1));
      const second = tf.add(tf.mul(m2!, beta2), tf.mul(tf.square(gradient), 1 - beta2));
      m1!.assign(first);
      m2!.assign(second);
      const c = corrections(learningRate, k);
      return tf.mul(tf.div(first, tf.add(tf.sqrt(second), c.epsilon)), c.scale);
    },
    fusedStep: (gradient, [m1, m2], target, mirror, learningRate, k) => {
      const out = fusedAdamStep(gradient, m1!, m2!, target, {
        beta1,
        beta2,
        ...corrections(learningRate, k),
        ...mirror,
      });
      if (!out) return undefined;
      m1!.assign(out.m1);
      m2!.assign(out.m2);
      return out;
    },
  };
}
