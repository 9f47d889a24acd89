import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { Regularizer } from './regularizer.js';
import { checkSameShape } from './validation.js';

/**
 * The Bregman distance `D_J^p(a, b) = J(a) − J(b) − ⟨p, a − b⟩` with `p ∈ ∂J(b)`
 * (paper eq. 1.16). It is ≥ 0 and 0 at `a = b` (eq. 1.17), but neither symmetric nor a
 * metric. For an elastic net (see {@link elasticNet}) it splits as
 * `D_{J_δ}(a, b) = D_J(a, b) + ‖a − b‖²/(2δ)` (Lemma B.1).
 *
 * @param J - the convex functional.
 * @param a - first point.
 * @param b - second point (same shape as `a`).
 * @param p - a subgradient of `J` at `b`; defaults to `J.subgradient(b)`.
 */
export function bregmanDistance(J: Regularizer, a: Tensor, b: Tensor, p?: Tensor): Scalar {
  checkSameShape('bregmanDistance', ['a', 'b'], a.shape, b.shape);
  if (p) checkSameShape('bregmanDistance', ['p', 'b'], p.shape, b.shape);
  return tf.tidy(() => {
    const pb = p ?? J.subgradient(b);
    return tf.sub(tf.sub(J.value(a), J.value(b)), tf.sum(tf.mul(pb, tf.sub(a, b))));
  });
}

/**
 * The symmetric Bregman distance `D^sym_J(a, b) = D_J^{p_b}(a, b) + D_J^{p_a}(b, a)
 * = ⟨p_a − p_b, a − b⟩` with `p_a ∈ ∂J(a)`, `p_b ∈ ∂J(b)` (paper eq. 1.18).
 *
 * @param J - the convex functional.
 * @param a - first point.
 * @param b - second point (same shape as `a`).
 * @param pa - a subgradient of `J` at `a`; defaults to `J.subgradient(a)`.
 * @param pb - a subgradient of `J` at `b`; defaults to `J.subgradient(b)`.
 */
export function symmetricBregmanDistance(
  J: Regularizer,
  a: Tensor,
  b: Tensor,
  pa?: Tensor,
  pb?: Tensor,
): Scalar {
  checkSameShape('symmetricBregmanDistance', ['a', 'b'], a.shape, b.shape);
  if (pa) checkSameShape('symmetricBregmanDistance', ['pa', 'a'], pa.shape, a.shape);
  if (pb) checkSameShape('symmetricBregmanDistance', ['pb', 'b'], pb.shape, b.shape);
  return tf.tidy(() => {
    const subA = pa ?? J.subgradient(a);
    const subB = pb ?? J.subgradient(b);
    return tf.sum(tf.mul(tf.sub(subA, subB), tf.sub(a, b)));
  });
}
