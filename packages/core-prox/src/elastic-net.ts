import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { checkNonNegative, checkPositive } from './argument-checks.js';
import type { ElasticNetConfig, Regularizer } from './regularizer.js';
import { checkRegularizer } from './validation.js';

/**
 * The elastic net `J_δ(θ) = J(θ) + ‖θ‖²/(2δ)` (paper eq. 2.6), whose subgradients `v` are
 * what LinBreg and AdaBreg iterate on (the weights are recovered as `θ = prox_{δJ}(δv)`,
 * paper eq. 2.8c).
 *
 * - `prox_{tJ_δ}(x) = prox_{sJ}(c·x)` with `c = δ/(δ + t)` and `s = t·c`,
 * - `∂J_δ(θ) = ∂J(θ) + θ/δ`,
 * - Bregman distances split as `D_{J_δ}(a, b) = D_J(a, b) + ‖a − b‖²/(2δ)` (Lemma B.1).
 *
 * @param J - the sparsity regularizer.
 * @param delta - δ > 0.
 */
export function elasticNet(J: Regularizer, delta: number): Regularizer {
  checkRegularizer('elasticNet: J', J);
  checkPositive('elasticNet: delta', delta);
  return new ElasticNet(J, delta);
}

class ElasticNet implements Regularizer {
  constructor(
    private readonly base: Regularizer,
    private readonly delta: number,
  ) {}

  /** The base regularizer's λ. */
  get lambda(): number {
    return this.base.lambda;
  }

  /** Always false: the quadratic term is not zero. */
  readonly isZero = false;

  /** Whether the base regularizer acts on groups. */
  get groupwise(): boolean {
    return this.base.groupwise;
  }

  /** Whether the base regularizer is finite everywhere (the quadratic term is). */
  get finite(): boolean {
    return this.base.finite;
  }

  /** The elastic net of the scaled base regularizer, with the same δ. */
  scaled(factor: number): Regularizer {
    checkNonNegative('ElasticNet.scaled: factor', factor);
    return new ElasticNet(this.base.scaled(factor), this.delta);
  }

  value(theta: Tensor): Scalar {
    return tf.tidy(() =>
      tf.add(this.base.value(theta), tf.div(tf.sum(tf.square(theta)), 2 * this.delta)),
    );
  }

  prox(x: Tensor, t: number): Tensor {
    checkNonNegative('ElasticNet.prox: delta', t);
    const c = this.delta / (this.delta + t);
    return tf.tidy(() => this.base.prox(tf.mul(x, c), t * c));
  }

  subgradient(theta: Tensor): Tensor {
    return tf.tidy(() => tf.add(this.base.subgradient(theta), tf.div(theta, this.delta)));
  }

  getConfig(): ElasticNetConfig {
    const base = this.base.getConfig();
    return { type: 'ElasticNet', lambda: base.lambda, delta: this.delta, base };
  }
}
