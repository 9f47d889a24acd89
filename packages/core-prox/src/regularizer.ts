import type { Scalar, Tensor } from '@tensorflow/tfjs-core';

/** The type names of the built-in regularizers ({@link regularizerTypes} lists every registered one). */
export type RegularizerType =
  | 'L1'
  | 'L1Positive'
  | 'GroupL12'
  | 'SparseGroupLasso'
  | 'None'
  | 'ElasticNet';

/**
 * What every regularizer's `getConfig()` has: its registered `type` name and λ. Plain JSON;
 * {@link regularizerFromConfig} rebuilds the regularizer from it.
 */
export interface RegularizerConfigBase {
  /** The name it was registered under ({@link registerRegularizer}). */
  type: string;
  /** Regularization strength λ ≥ 0. */
  lambda: number;
}

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
  base: RegularizerConfigBase;
}

/**
 * What the built-in regularizers' `getConfig()` return: `{type, lambda, reduceAxes?}` (plus
 * `delta` and `base` for an elastic net). Plain JSON; {@link regularizerFromConfig} is its
 * inverse.
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
 *
 * A regularizer answers the questions the optimizers, schedulers and metrics ask of it
 * (`isZero`, `scaled`, `groupwise`, `finite`) itself: a new one is one class that implements
 * this interface, plus {@link registerRegularizer} so that saved optimizers and models that
 * use it can be loaded.
 */
export interface Regularizer {
  /** The strength λ ≥ 0 (for an elastic net, its base's). */
  readonly lambda: number;
  /**
   * Whether `J ≡ 0` ({@link NoRegularizer}): an optimizer then takes the plain step for the
   * variable, metrics leave it out of `J`-sums and Bregman distances, and λ schedulers do
   * not count it.
   */
  readonly isZero: boolean;
  /**
   * Whether `J` acts on whole groups (neurons, conv kernels) and can zero a group at once —
   * `GroupL12`, `SparseGroupLasso`, or an elastic net of one — rather than single entries.
   */
  readonly groupwise: boolean;
  /**
   * Whether `J(θ)` is finite for every `θ` (false for {@link L1Positive}, +∞ off `θ ≥ 0`):
   * only then can `J` be added to a loss that gradient descent minimizes.
   */
  readonly finite: boolean;
  /**
   * `J` with λ multiplied by `factor ≥ 0` (a new regularizer; this one is unchanged). The
   * λ schedulers and the density controller scale through it; `J ≡ 0` returns itself.
   */
  scaled(factor: number): Regularizer;
  /** `J(θ)` as a scalar tensor (`Infinity` outside the domain of `J`). */
  value(theta: Tensor): Scalar;
  /**
   * The proximal operator `prox_{δJ}(x) = argmin_y ½‖y − x‖² + δJ(y)` (paper eq. 1.19), for
   * `δ ≥ 0`.
   */
  prox(x: Tensor, delta: number): Tensor;
  /**
   * For a prox that is soft thresholding entry by entry (ℓ1): the threshold `t` with
   * `prox_{δJ}(x) = x − clip(x, −t, t)`, computed in that order (ℓ1: `t = δλ`).
   * An optimizer may then fuse the prox into its own update kernel. Absent for every other
   * regularizer.
   */
  entrywiseThreshold?(delta: number): number;
  /**
   * One element of the subdifferential `∂J(θ)`; where `J` is not differentiable at zero it
   * returns the element 0 there (the choice LinBreg's initialisation `v = θ/δ + ∂J(θ)`
   * relies on: `prox_{δJ}(δv) = θ`).
   */
  subgradient(theta: Tensor): Tensor;
  /** Plain-JSON description; {@link regularizerFromConfig} rebuilds the regularizer. */
  getConfig(): RegularizerConfigBase;
}
