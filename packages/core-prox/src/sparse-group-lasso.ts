import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { checkNonNegative } from './argument-checks.js';
import { type GroupOptions, groupOptionsNeeded } from './group-l12.js';
import { groupNormSum, groupSoftThreshold, groupSubgradient, groupsOf } from './groups.js';
import { signKeepingNaN, softThreshold } from './l1.js';
import type { GroupRegularizerConfig, Regularizer } from './regularizer.js';
import { checkAxesList, checkOptionsObject } from './validation.js';

/**
 * Sparse group lasso `J(θ) = λ‖θ‖₁ + λ Σ_g √n_g ‖θ_g‖₂` (paper §1.1): ℓ1 and group ℓ1,2
 * with the same λ, so that whole groups vanish and the surviving groups are sparse too.
 *
 * - `prox_{δJ} = prox_{δ·group} ∘ prox_{δ·ℓ1}` (the group prox applied after soft
 *   thresholding, which is exact for this sum),
 * - `∂J(θ) ∋ λ·sign(θ) + λ√n_g·θ_g/‖θ_g‖` (each term 0 where its norm is not
 *   differentiable).
 */
export class SparseGroupLasso implements Regularizer {
  /** Regularization strength λ of both terms. */
  readonly lambda: number;
  /** The axes one group spans (see {@link GroupOptions.reduceAxes}). */
  readonly reduceAxes: readonly number[];
  /** Always false: `J` is not zero. */
  readonly isZero = false;
  /** Always true: `J` zeroes whole groups. */
  readonly groupwise = true;
  /** Always true: `J` is finite everywhere. */
  readonly finite = true;

  constructor(options: GroupOptions) {
    checkOptionsObject('SparseGroupLasso', options, groupOptionsNeeded('SparseGroupLasso'));
    const { lambda, reduceAxes } = options;
    checkNonNegative('SparseGroupLasso: lambda', lambda);
    checkAxesList('SparseGroupLasso: reduceAxes', reduceAxes);
    this.lambda = lambda;
    this.reduceAxes = [...reduceAxes];
  }

  value(theta: Tensor): Scalar {
    const groups = groupsOf('SparseGroupLasso: reduceAxes', theta, this.reduceAxes);
    return tf.tidy(() =>
      tf.add(tf.mul(tf.sum(tf.abs(theta)), this.lambda), groupNormSum(theta, groups, this.lambda)),
    );
  }

  prox(x: Tensor, delta: number): Tensor {
    checkNonNegative('SparseGroupLasso.prox: delta', delta);
    const groups = groupsOf('SparseGroupLasso: reduceAxes', x, this.reduceAxes);
    const t = delta * this.lambda;
    return tf.tidy(() => groupSoftThreshold(softThreshold(x, t), groups, t));
  }

  subgradient(theta: Tensor): Tensor {
    const groups = groupsOf('SparseGroupLasso: reduceAxes', theta, this.reduceAxes);
    return tf.tidy(() =>
      tf.add(signKeepingNaN(theta, this.lambda), groupSubgradient(theta, groups, this.lambda)),
    );
  }

  /** `SparseGroupLasso` with λ × `factor`, on the same groups. */
  scaled(factor: number): SparseGroupLasso {
    checkNonNegative('SparseGroupLasso.scaled: factor', factor);
    return new SparseGroupLasso({ lambda: this.lambda * factor, reduceAxes: [...this.reduceAxes] });
  }

  getConfig(): GroupRegularizerConfig {
    return { type: 'SparseGroupLasso', lambda: this.lambda, reduceAxes: [...this.reduceAxes] };
  }
}
