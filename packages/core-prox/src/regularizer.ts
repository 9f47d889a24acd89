import type { Scalar, Tensor } from '@tensorflow/tfjs-core';

/** The type names {@link regularizerFromConfig} understands. */
export type RegularizerType =
  | 'L1'
  | 'L1Positive'
  | 'GroupL12'
  | 'SparseGroupLasso'
  | 'None'
  | 'ElasticNet';

/** Serializable description of an entry-wise regularizer (`L1`, `L1Positive`). */
export interface EntrywiseRegularizerConfig {
  /** Which regularizer: {@link L1} or {@link L1Positive}. */
  type: 'L1' | 'L1Positive';
  /** Regularization strength λ ≥ 0. */
  lambda: number;
}

/** Serializable description of a group regularizer (`GroupL12`, `SparseGroupLasso`). */
export interface GroupRegularizerConfig {
  /** Which regularizer: {@link GroupL12} or {@link SparseGroupLasso}. */
  type: 'GroupL12' | 'SparseGroupLasso';
  /** Regularization strength λ ≥ 0. */
  lambda: number;
  /** The axes a group spans; see {@link GroupL12}. */
  reduceAxes: number[];
}

/** Serializable description of {@link NoRegularizer} (`J = 0`). */
export interface NoRegularizerConfig {
  /** `'None'`. */
  type: 'None';
  /** Always 0. */
  lambda: 0;
}

/** Serializable description of an elastic net `J_δ = J + ‖·‖²/(2δ)` (see {@link elasticNet}). */
export interface ElasticNetConfig {
  /** `'ElasticNet'`. */
  type: 'ElasticNet';
  /** λ of the base regularizer. */
  lambda: number;
  /** δ > 0 of the quadratic term. */
  delta: number;
  /** The base regularizer `J`. */
  base: RegularizerConfig;
}

/**
 * What `getConfig()` returns: `{type, lambda, reduceAxes?}` (plus `delta` and `base` for an
 * elastic net). Plain JSON; {@link regularizerFromConfig} is its inverse.
 */
export type RegularizerConfig =
  | EntrywiseRegularizerConfig
  | GroupRegularizerConfig
  | NoRegularizerConfig
  | ElasticNetConfig;

/**
 * A convex sparsity regularizer `J` (paper §1.1, §2.1) with what Bregman learning needs
 * from it. Every method is `tidy`-clean: the only tensor it leaves behind is the one it
 * returns, which the caller owns.
 */
export interface Regularizer {
  /** `J(θ)` as a scalar tensor (`Infinity` outside the domain of `J`). */
  value(theta: Tensor): Scalar;
  /**
   * The proximal operator `prox_{δJ}(x) = argmin_y ½‖y − x‖² + δJ(y)` (paper eq. 1.19), for
   * `δ ≥ 0`.
   */
  prox(x: Tensor, delta: number): Tensor;
  /**
   * One element of the subdifferential `∂J(θ)`; where `J` is not differentiable at zero it
   * returns the element 0 there (the choice LinBreg's initialisation `v = θ/δ + ∂J(θ)`
   * relies on: `prox_{δJ}(δv) = θ`).
   */
  subgradient(theta: Tensor): Tensor;
  /** Plain-JSON description; {@link regularizerFromConfig} rebuilds the regularizer. */
  getConfig(): RegularizerConfig;
}
