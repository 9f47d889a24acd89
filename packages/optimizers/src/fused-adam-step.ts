import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * The name under which a backend may register a kernel that runs one Adam-direction update of
 * a variable in one pass (`@bregman/runtime` registers one for `wasm`). Inputs `gradient`,
 * `m1`, `m2`, `target` (float32, one shape); attributes {@link FusedAdamStepAttrs}; outputs, in
 * order: the new `m1`, `m2` and `target`, each computed in float32 with the operations of
 * {@link adamDirection} in their order:
 *
 * ```
 * m₁' = β₁·m₁ + (1 − β₁)·g;  m₂' = β₂·m₂ + (1 − β₂)·(g·g)
 * d = (m₁' / (√m₂' + ε̂))·s;   target' = target − d·c
 * ```
 *
 * so that it gives what the separate tfjs operations give. Where the backend has no such
 * kernel, the optimizers run those operations.
 */
export const FUSED_ADAM_STEP_KERNEL = 'BregmanFusedAdamStep';

/** The attributes of {@link FUSED_ADAM_STEP_KERNEL}: the constants of one update. */
export interface FusedAdamStepAttrs {
  /** β₁. */
  beta1: number;
  /** β₂. */
  beta2: number;
  /** ε̂ = ε·√(1 − β₂ᵏ), added to `√m₂'`. */
  epsilon: number;
  /** s = τ·√(1 − β₂ᵏ)/(1 − β₁ᵏ): the learning rate with both bias corrections. */
  scale: number;
  /** c: 1 for the subgradient variable `v`, δ for weights updated directly (no regularizer). */
  targetScale: number;
}

/**
 * One Adam-direction update through the current backend's {@link FUSED_ADAM_STEP_KERNEL}:
 * the new `[m1, m2, target]`, or `undefined` when the backend has no such kernel (the caller
 * then runs the separate operations).
 */
export function fusedAdamStep(
  gradient: Tensor,
  m1: Tensor,
  m2: Tensor,
  target: Tensor,
  attrs: FusedAdamStepAttrs,
): [Tensor, Tensor, Tensor] | undefined {
  if (!tf.getKernel(FUSED_ADAM_STEP_KERNEL, tf.getBackend())) return undefined;
  if (gradient.dtype !== 'float32' || target.dtype !== 'float32') return undefined;
  const out = tf
    .engine()
    .runKernel(
      FUSED_ADAM_STEP_KERNEL,
      { gradient, m1, m2, target },
      attrs as unknown as tf.NamedAttrMap,
    ) as unknown as Tensor[];
  return [out[0]!, out[1]!, out[2]!];
}
