import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import { checkNonNegative } from './argument-checks.js';
import { type GroupOptions, GroupRegularizer } from './group-regularizer.js';
import { groupNormSum, groupSoftThreshold, groupSubgradient } from './groups.js';
import type { Regularizer } from './regularizer.js';

/**
 * The group ℓ1,2 norm `J(θ) = λ Σ_g √n_g ‖θ_g‖₂` (paper eqs. 1.2 and 1.14; `n_g` is the
 * number of entries of group g): whole neurons or conv kernels become zero together.
 *
 * - `prox_{δJ}(x)_g = x_g · max(1 − δλ√n_g/‖x_g‖, 0)`,
 * - `∂J(θ)_g ∋ λ√n_g·θ_g/‖θ_g‖` (0 for a zero group).
 *
 * **λ compared with ℓ1.** The factor √n_g is what makes one λ mean the same pressure per
 * entry as `L1({lambda})` for groups of any size: a group whose entries of `v` all have
 * magnitude u has `‖v_g‖ = u·√n_g`, so it leaves the dead zone when u > λ — exactly when
 * single entries do under ℓ1 — and a group of n equal weights a costs `λ·n·|a|`, its ℓ1
 * norm times λ. What differs is that a group needs all (or most) of its entries pushed the
 * same way, so the same λ gives fewer live weights than ℓ1; to get a density rather than a
 * λ, use `DensityController` of `@bregman/optimizers`.
 *
 * @example
 * ```ts
 * // neuron sparsity on a Dense kernel [nIn, nOut]: columns vanish as a whole
 * const J = new GroupL12({ lambda: 0.1, reduceAxes: [0] });
 * ```
 */
export class GroupL12 extends GroupRegularizer implements Regularizer {
  constructor(options: GroupOptions) {
    super('GroupL12', options);
  }

  value(theta: Tensor): Scalar {
    const groups = this.groupsOf(theta);
    return groupNormSum(theta, groups, this.lambda) as Scalar;
  }

  prox(x: Tensor, delta: number): Tensor {
    checkNonNegative('GroupL12.prox: delta', delta);
    const groups = this.groupsOf(x);
    return groupSoftThreshold(x, groups, delta * this.lambda);
  }

  subgradient(theta: Tensor): Tensor {
    const groups = this.groupsOf(theta);
    return groupSubgradient(theta, groups, this.lambda);
  }
}
