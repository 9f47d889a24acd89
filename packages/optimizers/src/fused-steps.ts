import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * The name under which a backend may register a kernel that runs one Adam-direction update of
 * a variable in one pass (`@bregman/runtime` registers one for `wasm`). Inputs `gradient`,
 * `m1`, `m2`, `target` (float32, one shape); attributes {@link FusedAdamStepAttrs}; outputs, in
 * order: the new `m1`, `m2` and `target`, then the weights when `threshold ≥ 0`, each computed
 * in float32 with the operations of `adamDirection` and the mirror step in their order:
 *
 * ```
 * m₁' = m₁·β₁ + g·(1 − β₁);  m₂' = m₂·β₂ + (g·g)·(1 − β₂)
 * d = (m₁' / (√m₂' + ε̂))·s;   target' = target − d·c
 * u = target'·δ;  θ = u − clip(u, −t, t)
 * ```
 *
 * so that it gives what the separate tfjs operations give. Where the backend has no such
 * kernel, the optimizers run those operations.
 */
export const FUSED_ADAM_STEP_KERNEL = 'BregmanFusedAdamStep';

/**
 * The name under which a backend may register a kernel that runs one LinBreg update (the
 * plain gradient direction) of a variable in one pass. Inputs `gradient`, `target`; attributes
 * {@link FusedSgdStepAttrs}; outputs: the new `target`, then the weights when `threshold ≥ 0`:
 * `target' = target − (g·τ)·c`, `u = target'·δ`, `θ = u − clip(u, −t, t)`, in float32, in this
 * order. See {@link FUSED_ADAM_STEP_KERNEL}.
 */
export const FUSED_SGD_STEP_KERNEL = 'BregmanFusedSgdStep';

/**
 * The name under which a backend may register a kernel that runs one update of LinBreg with
 * momentum of a variable in one pass. Inputs `gradient`, `m`, `target`; attributes
 * {@link FusedMomentumStepAttrs}; outputs: the new `m` and `target`, then the weights when
 * `threshold ≥ 0`: `m' = m·β + g·s`, `target' = target − m'·c`, `u = target'·δ`,
 * `θ = u − clip(u, −t, t)`, in float32, in this order. See {@link FUSED_ADAM_STEP_KERNEL}.
 */
export const FUSED_MOMENTUM_STEP_KERNEL = 'BregmanFusedMomentumStep';

/** The attributes the fused update kernels share: where the step goes, and the prox. */
export interface FusedMirrorAttrs {
  /** c: 1 for the subgradient variable `v`, δ for weights updated directly (no regularizer). */
  targetScale: number;
  /** δ of the elastic net: the mirror step's `θ = prox_{δJ}(δv)` reads `u = δ·v`. */
  delta: number;
  /**
   * t ≥ 0 when the prox is soft thresholding (`J.entrywiseThreshold(δ)`, ℓ1): the kernel also
   * returns the weights `θ = u − clip(u, −t, t)`; −1: it does not (another regularizer, or none).
   */
  threshold: number;
}

/** The attributes of {@link FUSED_ADAM_STEP_KERNEL}: the constants of one update. */
export interface FusedAdamStepAttrs extends FusedMirrorAttrs {
  /** β₁. */
  beta1: number;
  /** β₂. */
  beta2: number;
  /** ε̂ = ε·√(1 − β₂ᵏ), added to `√m₂'`. */
  epsilon: number;
  /** s = τ·√(1 − β₂ᵏ)/(1 − β₁ᵏ): the learning rate with both bias corrections. */
  scale: number;
}

/** The attributes of {@link FUSED_MOMENTUM_STEP_KERNEL}. */
export interface FusedMomentumStepAttrs extends FusedMirrorAttrs {
  /** β. */
  momentum: number;
  /** s = (1 − β)·τ, the gradient's weight in `m`. */
  scale: number;
}

/** The attributes of {@link FUSED_SGD_STEP_KERNEL}. */
export interface FusedSgdStepAttrs extends FusedMirrorAttrs {
  /** τ. */
  learningRate: number;
}

/** The new target of a fused update, and the new weights when the prox was fused too. */
export interface FusedStepResult {
  /** The new `v` (or the new weights of a variable without a regularizer). */
  target: Tensor;
  /** The new weights `θ = prox_{δJ}(δv)`, when the kernel applied the prox (`threshold ≥ 0`). */
  weights?: Tensor;
}

/** What {@link fusedMomentumStep} returns: the new momentum beside the target (and weights). */
export interface FusedMomentumStepResult extends FusedStepResult {
  /** The new momentum `m`. */
  m: Tensor;
}

/** What {@link fusedAdamStep} returns: the new moments beside the target (and weights). */
export interface FusedAdamStepResult extends FusedStepResult {
  /** The new first moment `m₁`. */
  m1: Tensor;
  /** The new second raw moment `m₂`. */
  m2: Tensor;
}

/** Runs `kernel` on the current backend, or `undefined` where it has none (or other dtypes). */
function runFused(
  kernel: string,
  inputs: Record<string, Tensor>,
  attrs: FusedMirrorAttrs,
): Tensor[] | undefined {
  if (!tf.getKernel(kernel, tf.getBackend())) return undefined;
  if (Object.values(inputs).some((t) => t.dtype !== 'float32')) return undefined;
  return tf
    .engine()
    .runKernel(kernel, inputs, attrs as unknown as tf.NamedAttrMap) as unknown as Tensor[];
}

/**
 * One Adam-direction update through the current backend's {@link FUSED_ADAM_STEP_KERNEL}:
 * the new moments, target and (with `threshold ≥ 0`) weights, or `undefined` when the backend
 * has no such kernel (the caller then runs the separate operations).
 */
export function fusedAdamStep(
  gradient: Tensor,
  m1: Tensor,
  m2: Tensor,
  target: Tensor,
  attrs: FusedAdamStepAttrs,
): FusedAdamStepResult | undefined {
  const out = runFused(FUSED_ADAM_STEP_KERNEL, { gradient, m1, m2, target }, attrs);
  if (!out) return undefined;
  const [m1Next, m2Next, targetNext, weights] = out as [Tensor, Tensor, Tensor, Tensor?];
  return { m1: m1Next, m2: m2Next, target: targetNext, ...(weights ? { weights } : {}) };
}

/**
 * One LinBreg update (the plain gradient direction) through the current backend's
 * {@link FUSED_SGD_STEP_KERNEL}, or `undefined` when the backend has none.
 */
export function fusedSgdStep(
  gradient: Tensor,
  target: Tensor,
  attrs: FusedSgdStepAttrs,
): FusedStepResult | undefined {
  const out = runFused(FUSED_SGD_STEP_KERNEL, { gradient, target }, attrs);
  if (!out) return undefined;
  const [targetNext, weights] = out as [Tensor, Tensor?];
  return { target: targetNext, ...(weights ? { weights } : {}) };
}

/**
 * One update of LinBreg with momentum through the current backend's
 * {@link FUSED_MOMENTUM_STEP_KERNEL}: the new momentum, target and (with `threshold ≥ 0`)
 * weights, or `undefined` when the backend has none.
 */
export function fusedMomentumStep(
  gradient: Tensor,
  m: Tensor,
  target: Tensor,
  attrs: FusedMomentumStepAttrs,
): FusedMomentumStepResult | undefined {
  const out = runFused(FUSED_MOMENTUM_STEP_KERNEL, { gradient, m, target }, attrs);
  if (!out) return undefined;
  const [mNext, targetNext, weights] = out as [Tensor, Tensor, Tensor?];
  return { m: mNext, target: targetNext, ...(weights ? { weights } : {}) };
}
