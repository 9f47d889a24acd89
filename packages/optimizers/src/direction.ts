import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import type { FusedMirrorAttrs, FusedStepResult } from './fused-steps.js';

/**
 * A descent direction for the subgradient variable: given the gradient `g` it returns the
 * step `d` of `v ← v − d` and keeps its own per-variable state ("slots", e.g. momentum).
 * LinBreg, LinBreg with momentum and AdaBreg are one mirror step composed with three
 * directions ({@link sgdDirection}, {@link momentumDirection}, {@link adamDirection}).
 */
export interface Direction {
  /** Names of the per-variable state tensors, in the order `step` receives them. */
  readonly slots: readonly string[];
  /**
   * Updates the slots in place (`assign`) and returns `d`. Runs inside `tf.tidy`.
   *
   * @param gradient - `g = ∇L(θ)` for this variable.
   * @param slots - this variable's state, created as zeros on its first update.
   * @param learningRate - τ.
   * @param iteration - k, the 1-based number of this update (bias corrections use it).
   */
  step(
    gradient: Tensor,
    slots: readonly Variable[],
    learningRate: number,
    iteration: number,
  ): Tensor;
  /**
   * Optionally, the whole update `target ← target − c·d` in one kernel where the backend has
   * one (see `FUSED_ADAM_STEP_KERNEL`, `FUSED_SGD_STEP_KERNEL`), with the prox too when it is
   * soft thresholding: updates the slots (`assign`) and returns the new `target` (and weights),
   * or `undefined` to let the caller run {@link Direction.step} instead. Runs inside
   * `tf.tidy`; must equal `target − c·step(…)` (and the mirror map) in float32.
   *
   * @param target - the subgradient variable `v` (c = 1), or the weights themselves for a
   *   variable without a regularizer (c = δ).
   * @param mirror - c (`targetScale`), δ, and the soft-thresholding `threshold` of the prox
   *   (−1: the caller applies the prox).
   */
  fusedStep?(
    gradient: Tensor,
    slots: readonly Variable[],
    target: Tensor,
    mirror: FusedMirrorAttrs,
    learningRate: number,
    iteration: number,
  ): FusedStepResult | undefined;
}
