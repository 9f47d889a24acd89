import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { checkNonNegative } from './argument-checks.js';
import type { NoRegularizerConfig, Regularizer } from './regularizer.js';

/**
 * `J = 0`: no sparsity. Its prox is the identity, so LinBreg with it (and δ = 1) is plain
 * SGD, and AdaBreg is Adam (paper §2.2). A NaN entry still shows: its value, prox and
 * subgradient are NaN there.
 */
export class NoRegularizer implements Regularizer {
  /** Always 0. */
  readonly lambda = 0;
  /** Always true: `J ≡ 0`. */
  readonly isZero = true;
  /** Always false: there are no groups to zero. */
  readonly groupwise = false;
  /** Always true: `J` is 0 everywhere. */
  readonly finite = true;

  /** 0, or NaN when `theta` has a NaN entry. */
  value(theta: Tensor): Scalar {
    return tf.tidy(() => tf.sum(nanOrZero(theta)));
  }

  /** The identity: returns a new tensor (a clone) equal to `x`. */
  prox(x: Tensor, delta: number): Tensor {
    checkNonNegative('NoRegularizer.prox: delta', delta);
    return tf.clone(x);
  }

  /** 0, NaN where `theta` is NaN. */
  subgradient(theta: Tensor): Tensor {
    return nanOrZero(theta);
  }

  /** Itself: `0 × factor = 0` (the factor is still checked). */
  scaled(factor: number): NoRegularizer {
    checkNonNegative('NoRegularizer.scaled: factor', factor);
    return this;
  }

  getConfig(): NoRegularizerConfig {
    return { type: 'None', lambda: 0 };
  }
}

/** NaN where `x` is NaN, 0 elsewhere. */
function nanOrZero(x: Tensor): Tensor {
  return tf.tidy(() => tf.where(tf.isNaN(x), x, tf.zerosLike(x)));
}
