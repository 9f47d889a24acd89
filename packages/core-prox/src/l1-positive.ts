import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { checkNonNegative } from './argument-checks.js';
import { type L1Options, lambdaNeeded } from './l1.js';
import type { EntrywiseRegularizerConfig, Regularizer } from './regularizer.js';
import { checkOptionsObject } from './validation.js';

/**
 * ℓ1 restricted to non-negative weights: `J(θ) = λ‖θ‖₁ + χ_{θ ≥ 0}(θ)` (paper §1.1).
 *
 * - `value` is `Infinity` when an entry is negative (outside the domain),
 * - `prox_{δJ}(x) = max(x − δλ, 0)`,
 * - `∂J(θ) ∋ λ` where θ > 0 and 0 where θ = 0; a negative entry has no subgradient and
 *   gets `NaN`, so that using this regularizer on weights outside its domain cannot go
 *   unnoticed.
 */
export class L1Positive implements Regularizer {
  /** Regularization strength λ. */
  readonly lambda: number;
  /** Always false: `J` is not zero. */
  readonly isZero = false;
  /** Always false: `J` acts entry by entry. */
  readonly groupwise = false;
  /** Always false: `J` is +∞ where an entry is negative. */
  readonly finite = false;

  constructor(options: L1Options) {
    checkOptionsObject('L1Positive', options, lambdaNeeded('L1Positive'));
    const { lambda } = options;
    checkNonNegative('L1Positive: lambda', lambda);
    this.lambda = lambda;
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

  /** `L1Positive` with λ × `factor`. */
  scaled(factor: number): L1Positive {
    checkNonNegative('L1Positive.scaled: factor', factor);
    return new L1Positive({ lambda: this.lambda * factor });
  }

  getConfig(): EntrywiseRegularizerConfig {
    return { type: 'L1Positive', lambda: this.lambda };
  }
}
