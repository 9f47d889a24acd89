import type { Regularizer } from '@bregman/core-prox';
import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * The subgradient variable of a weight that has none yet: `v = θ/δ + ∂J(θ)` (Algorithms
 * 1–3, "initialize"), chosen so that {@link mirrorMap} gives back `θ`: the weights do not
 * jump when an optimizer first touches them.
 */
export function mirrorInit(J: Regularizer, theta: Tensor, delta: number): Tensor {
  return tf.tidy(() => tf.add(tf.div(theta, delta), J.subgradient(theta)));
}

/** The weights of a subgradient variable: `θ = prox_{δJ}(δv)` (paper eq. 2.8c). */
export function mirrorMap(J: Regularizer, v: Tensor, delta: number): Tensor {
  return tf.tidy(() => J.prox(delta === 1 ? v : tf.mul(v, delta), delta));
}
