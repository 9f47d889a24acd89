import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { checkNonNegative } from './argument-checks.js';
import { EntrywiseRegularizer, type L1Options } from './entrywise-regularizer.js';
import type { Regularizer } from './regularizer.js';

/**
 * The ℓ1 norm `J(θ) = λ‖θ‖₁` (paper eq. 1.1): entry-wise sparsity.
 *
 * - `prox_{δJ}(x) = sign(x)·max(|x| − δλ, 0)` (soft thresholding, paper eq. 1.3),
 * - `∂J(θ) ∋ λ·sign(θ)` (0 at θ = 0).
 *
 * A NaN entry stays NaN in the prox and the subgradient; ±∞ give the formulas' limits.
 *
 * @example
 * ```ts
 * const J = new L1({ lambda: 0.1 });
 * J.prox(tf.tensor([0.5, -0.05]), 1).print(); // [0.4, 0]
 * ```
 */
export class L1 extends EntrywiseRegularizer implements Regularizer {
  /** Always true: `λ‖θ‖₁` is finite everywhere. */
  readonly finite = true;

  constructor(options: L1Options) {
    super('L1', options);
  }

  value(theta: Tensor): Scalar {
    return tf.tidy(() => tf.mul(tf.sum(tf.abs(theta)), this.lambda));
  }

  prox(x: Tensor, delta: number): Tensor {
    return softThreshold(x, this.entrywiseThreshold(delta));
  }

  /** `δλ`: {@link L1.prox} is `x − clip(x, −δλ, δλ)`. */
  entrywiseThreshold(delta: number): number {
    checkNonNegative('L1.prox: delta', delta);
    return delta * this.lambda;
  }

  subgradient(theta: Tensor): Tensor {
    return tf.tidy(() => signKeepingNaN(theta, this.lambda));
  }
}

/**
 * `sign(x)·max(|x| − t, 0)`, the prox of `t‖·‖₁`, computed as `x − clip(x, −t, t)`: the
 * same numbers (both are `x ∓ t` outside the dead zone and exactly 0 inside) in two
 * elementwise passes instead of five, which matters on a training step's hot path.
 */
export function softThreshold(x: Tensor, t: number): Tensor {
  return tf.tidy(() => tf.sub(x, tf.clipByValue(x, -t, t)));
}

/**
 * `scale·sign(x)`, NaN where `x` is NaN (`tf.sign` returns 0 there, which would make a
 * diverged weight look like a zero one). The sign comes from comparisons with 0, not from
 * `tf.sign`: tfjs-backend-wasm 4.22's Sign returns 0 for every `|x|` below about 1e-7, which
 * would give a small nonzero weight the subgradient 0.
 */
export function signKeepingNaN(x: Tensor, scale: number): Tensor {
  return tf.tidy(() => {
    const sign = tf.sub(tf.cast(tf.greater(x, 0), x.dtype), tf.cast(tf.less(x, 0), x.dtype));
    return tf.where(tf.isNaN(x), x, tf.mul(sign, scale));
  });
}
