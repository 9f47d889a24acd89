import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { resolveAxes } from './validation.js';

/**
 * The groups of a tensor for group sparsity: a group is all entries that share their index
 * on every axis not in `reduceAxes` (DESIGN.md "tfjs layouts").
 */
export interface Groups {
  /** The reduce axes, resolved against the tensor's rank and sorted. */
  axes: number[];
  /** Entries per group `n_g` (the same for every group). */
  size: number;
}

/** Resolves `reduceAxes` for `x` (error naming `name` when an axis does not exist). */
export function groupsOf(name: string, x: Tensor, reduceAxes: readonly number[]): Groups {
  const axes = resolveAxes(name, reduceAxes, x.rank);
  const size = axes.reduce((n, axis) => n * (x.shape[axis] as number), 1);
  return { axes, size };
}

/**
 * Euclidean norm `‖x_g‖` of each group, kept in `x`'s rank so that it broadcasts. Computed
 * as `m·‖x_g/m‖` with `m = max|x_g|` so that squares neither underflow nor overflow in
 * float32. A group with a NaN entry has norm NaN, one with an infinite entry norm `∞`.
 */
export function groupNorms(x: Tensor, groups: Groups): Tensor {
  return tf.tidy(() => {
    // m = ∞ or NaN is replaced by 1: ‖x_g‖ is then ∞ or NaN as it should be (∞/∞ would be NaN).
    const m = finiteNonZero(tf.max(tf.abs(x), groups.axes, true));
    return tf.mul(m, tf.sqrt(tf.sum(tf.square(tf.div(x, m)), groups.axes, true)));
  });
}

/**
 * The magnitude of each group of `x`: the Euclidean norm `‖x_g‖₂` of each group spanned by
 * `reduceAxes` (a group is all entries that share their index on the other axes), kept in
 * `x`'s rank so that it broadcasts against `x`; with no `reduceAxes`, `|x|` entry-wise.
 * Float-safe: computed as `m·‖x_g/m‖` with `m = max|x_g|`, so groups of tiny weights keep a
 * non-zero norm in float32 and large ones do not overflow. A new tensor the caller owns.
 *
 * @example
 * ```ts
 * groupMagnitudes(kernel, [0]); // [1, nOut]: the norm of each neuron of a Dense kernel
 * ```
 */
export function groupMagnitudes(x: Tensor, reduceAxes: readonly number[]): Tensor {
  if (reduceAxes.length === 0) return tf.abs(x);
  return groupNorms(x, groupsOf('groupMagnitudes: reduceAxes', x, reduceAxes));
}

/**
 * The unit direction `x_g/‖x_g‖` of each group (0 for a zero group, NaN in every entry of a
 * group with a NaN entry), computed as `u_g/‖u_g‖` with `u = x/max|x_g|`: exact to float32
 * rounding even when `‖x_g‖` itself would be subnormal. A group with infinite entries
 * points along them (the limit: `±1/√k` on its k infinite entries, 0 on the others).
 */
export function groupDirections(x: Tensor, groups: Groups): Tensor {
  return tf.tidy(() => {
    // x/max|x_g| is ±∞/∞ = NaN exactly on the infinite entries: their limit is sign(x).
    const scaled = tf.div(x, positiveOrOne(tf.max(tf.abs(x), groups.axes, true)));
    const u = tf.where(tf.isInf(x), tf.sign(x), scaled);
    return tf.div(u, zeroToOne(tf.sqrt(tf.sum(tf.square(u), groups.axes, true))));
  });
}

/** `t` where it is positive (∞ included), 1 elsewhere (0 and NaN). */
function positiveOrOne(t: Tensor): Tensor {
  return tf.where(tf.greater(t, 0), t, tf.onesLike(t));
}

/** `t` where it is finite and positive, 1 elsewhere (0, ∞ and NaN). */
function finiteNonZero(t: Tensor): Tensor {
  return tf.where(tf.logicalAnd(tf.greater(t, 0), tf.isFinite(t)), t, tf.onesLike(t));
}

/**
 * `t` with 0 replaced by 1: a divisor that leaves zero groups at zero and keeps NaN
 * (a group with a NaN entry stays NaN in every entry).
 */
function zeroToOne(t: Tensor): Tensor {
  return tf.where(tf.equal(t, 0), tf.onesLike(t), t);
}

/**
 * `prox` of `t·Σ_g √n_g‖x_g‖`: `x_g · max(1 − t√n_g/‖x_g‖, 0)` (group soft thresholding,
 * paper eq. 1.14 with the weight √n_g of eq. 1.2).
 */
export function groupSoftThreshold(x: Tensor, groups: Groups, t: number): Tensor {
  return tf.tidy(() => {
    // A zero group stays zero whatever it is scaled by; dividing by 1 there avoids 0/0.
    // A NaN norm stays NaN (the whole group comes out NaN); ‖x_g‖ = ∞ gives scale 1.
    const norms = zeroToOne(groupNorms(x, groups));
    const scale = tf.relu(tf.sub(1, tf.div(t * Math.sqrt(groups.size), norms)));
    return tf.mul(x, scale);
  });
}

/** `λ√n_g·θ_g/‖θ_g‖` per group, 0 on a zero group: an element of `∂(λΣ_g √n_g‖θ_g‖)`. */
export function groupSubgradient(theta: Tensor, groups: Groups, lambda: number): Tensor {
  return tf.tidy(() => tf.mul(groupDirections(theta, groups), lambda * Math.sqrt(groups.size)));
}

/** `λ Σ_g √n_g‖θ_g‖`. */
export function groupNormSum(theta: Tensor, groups: Groups, lambda: number): Tensor {
  return tf.tidy(() => tf.mul(tf.sum(groupNorms(theta, groups)), lambda * Math.sqrt(groups.size)));
}
