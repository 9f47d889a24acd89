import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { checkNonNegative } from './argument-checks.js';
import { EntrywiseRegularizer, type L1Options } from './entrywise-regularizer.js';
import type { Regularizer } from './regularizer.js';

/**
 * ℓ1 restricted to non-negative weights: `J(θ) = λ‖θ‖₁ + χ_{θ ≥ 0}(θ)` (paper §1.1).
 *
 * - `value` is `Infinity` when an entry is negative (outside the domain),
 * - `prox_{δJ}(x) = max(x − δλ, 0)`,
 * - `∂J(θ) ∋ λ` where θ > 0 and 0 where θ = 0; a negative entry has no subgradient and
 *   gets `NaN`, so that using this regularizer on weights outside its domain cannot go
 *   unnoticed.
 */
export class L1Positive extends EntrywiseRegularizer implements Regularizer {
  /** Always false: `J` is +∞ where an entry is negative. */
  readonly finite = false;

  constructor(options: L1Options) {
    super('L1Positive', options);
  }

  value(theta: Tensor): Scalar {
    return tf.tidy(() =>
      tf.sum(
        tf.where(tf.less(theta, 0), tf.fill(theta.shape, Infinity), tf.mul(theta, this.lambda)),
      ),
    );
  }

  prox(x: Tensor, delta: number): Tensor {
    checkNonNegative('L1Positive.prox: delta', delta);
    return tf.tidy(() => tf.relu(tf.sub(x, delta * this.lambda)));
  }

  subgradient(theta: Tensor): Tensor {
    return tf.tidy(() => {
      const inside = tf.mul(tf.step(theta, 0), this.lambda);
      return tf.where(tf.less(theta, 0), tf.fill(theta.shape, Number.NaN), inside);
    });
  }
}
