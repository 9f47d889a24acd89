import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { checkNonNegative } from './argument-checks.js';
import { type GroupOptions, GroupRegularizer } from './group-regularizer.js';
import { groupNormSum, groupSoftThreshold, groupSubgradient } from './groups.js';
import { signKeepingNaN, softThreshold } from './l1.js';
import type { Regularizer } from './regularizer.js';

/**
 * Sparse group lasso `J(θ) = λ‖θ‖₁ + λ Σ_g √n_g ‖θ_g‖₂` (paper §1.1): ℓ1 and group ℓ1,2
 * with the same λ, so that whole groups vanish and the surviving groups are sparse too.
 *
 * - `prox_{δJ} = prox_{δ·group} ∘ prox_{δ·ℓ1}` (the group prox applied after soft
 *   thresholding, which is exact for this sum),
 * - `∂J(θ) ∋ λ·sign(θ) + λ√n_g·θ_g/‖θ_g‖` (each term 0 where its norm is not
 *   differentiable).
 */
export class SparseGroupLasso extends GroupRegularizer implements Regularizer {
  constructor(options: GroupOptions) {
    super('SparseGroupLasso', options);
  }

  value(theta: Tensor): Scalar {
    const groups = this.groupsOf(theta);
    return tf.tidy(() =>
      tf.add(tf.mul(tf.sum(tf.abs(theta)), this.lambda), groupNormSum(theta, groups, this.lambda)),
    );
  }

  prox(x: Tensor, delta: number): Tensor {
    checkNonNegative('SparseGroupLasso.prox: delta', delta);
    const groups = this.groupsOf(x);
    const t = delta * this.lambda;
    return tf.tidy(() => groupSoftThreshold(softThreshold(x, t), groups, t));
  }

  subgradient(theta: Tensor): Tensor {
    const groups = this.groupsOf(theta);
    return tf.tidy(() =>
      tf.add(signKeepingNaN(theta, this.lambda), groupSubgradient(theta, groups, this.lambda)),
    );
  }
}
