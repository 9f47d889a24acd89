import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import { checkNonNegative } from './argument-checks.js';
import { groupNormSum, groupSoftThreshold, groupSubgradient, groupsOf } from './groups.js';
import type { GroupRegularizerConfig, Regularizer } from './regularizer.js';
import { checkAxesList, checkOptionsObject } from './validation.js';

/** Options of {@link GroupL12} and {@link SparseGroupLasso}. */
export interface GroupOptions {
  /** Regularization strength λ ≥ 0. */
  lambda: number;
  /**
   * The axes one group spans: a group is all entries that share their index on the other
   * axes. Neurons of a Dense kernel `[nIn, nOut]` (a neuron's incoming weights are a
   * column): `[0]`. Kernels of a Conv2D kernel `[kh, kw, cin, cout]` (one `[kh, kw]` slice
   * per `(cin, cout)` pair): `[0, 1]`. Negative axes count from the end.
   */
  reduceAxes: number[];
}

/** What the options of {@link GroupL12} and {@link SparseGroupLasso} must hold, for error messages. */
export function groupOptionsNeeded(owner: string): string {
  return `with lambda and reduceAxes, e.g. new ${owner}({ lambda: 0.1, reduceAxes: [0] })`;
}

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
export class GroupL12 implements Regularizer {
  /** Regularization strength λ. */
  readonly lambda: number;
  /** The axes one group spans. */
  readonly reduceAxes: readonly number[];
  /** Always false: `J` is not zero. */
  readonly isZero = false;
  /** Always true: `J` zeroes whole groups. */
  readonly groupwise = true;
  /** Always true: `J` is finite everywhere. */
  readonly finite = true;

  constructor(options: GroupOptions) {
    checkOptionsObject('GroupL12', options, groupOptionsNeeded('GroupL12'));
    const { lambda, reduceAxes } = options;
    checkNonNegative('GroupL12: lambda', lambda);
    checkAxesList('GroupL12: reduceAxes', reduceAxes);
    this.lambda = lambda;
    this.reduceAxes = [...reduceAxes];
  }

  value(theta: Tensor): Scalar {
    const groups = groupsOf('GroupL12: reduceAxes', theta, this.reduceAxes);
    return groupNormSum(theta, groups, this.lambda) as Scalar;
  }

  prox(x: Tensor, delta: number): Tensor {
    checkNonNegative('GroupL12.prox: delta', delta);
    const groups = groupsOf('GroupL12: reduceAxes', x, this.reduceAxes);
    return groupSoftThreshold(x, groups, delta * this.lambda);
  }

  subgradient(theta: Tensor): Tensor {
    const groups = groupsOf('GroupL12: reduceAxes', theta, this.reduceAxes);
    return groupSubgradient(theta, groups, this.lambda);
  }

  /** `GroupL12` with λ × `factor`, on the same groups. */
  scaled(factor: number): GroupL12 {
    checkNonNegative('GroupL12.scaled: factor', factor);
    return new GroupL12({ lambda: this.lambda * factor, reduceAxes: [...this.reduceAxes] });
  }

  getConfig(): GroupRegularizerConfig {
    return { type: 'GroupL12', lambda: this.lambda, reduceAxes: [...this.reduceAxes] };
  }
}
