import type { Regularizer } from '@bregman/core-prox';
import * as tf from '@tensorflow/tfjs';

/** A least-squares problem `min_x ‖Ax − b‖²/(2m)` with a known sparse solution. */
export interface SparseProblem {
  A: tf.Tensor2D;
  b: tf.Tensor1D;
  xTrue: tf.Tensor1D;
}

/** `A` with i.i.d. N(0, 1/m) entries, an `s`-sparse `x*` with entries ±(1 + U(0,1)), `b = Ax*`. */
export function sparseProblem(m: number, n: number, s: number, seed: number): SparseProblem {
  return tf.tidy(() => {
    const A = tf.randomNormal([m, n], 0, 1 / Math.sqrt(m), 'float32', seed) as tf.Tensor2D;
    const support = tf.topk(tf.randomUniform([n], 0, 1, 'float32', seed + 3), s).indices;
    const values = tf.randomUniform([s], 1, 2, 'float32', seed + 1);
    const signs = tf.sign(tf.randomUniform([s], -1, 1, 'float32', seed + 2));
    const xTrue = tf.scatterND(tf.expandDims(support, 1), tf.mul(values, signs), [
      n,
    ]) as tf.Tensor1D;
    const b = tf.squeeze(tf.matMul(A, tf.expandDims(xTrue, 1)), [1]) as tf.Tensor1D;
    return { A, b, xTrue };
  });
}

/** The gradient `Aᵀ(Ax − b)/m` of the least-squares loss. */
export function leastSquaresGradient({ A, b }: SparseProblem, x: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const residual = tf.sub(tf.squeeze(tf.matMul(A, tf.expandDims(x, 1)), [1]), b);
    return tf.div(
      tf.squeeze(tf.matMul(A, tf.expandDims(residual, 1), true, false), [1]),
      A.shape[0],
    ) as tf.Tensor1D;
  });
}

/**
 * Linearized Bregman iterations (paper eq. 2.8): `v ← v − τ∇L(x)`, `x ← prox_{δJ}(δv)`,
 * started at `x = 0`, `v = 0`. Calls `onStep` with the current iterate every step.
 */
export function linearizedBregman(
  problem: SparseProblem,
  J: Regularizer,
  { tau, delta, steps }: { tau: number; delta: number; steps: number },
  onStep: (step: number, x: tf.Tensor1D) => void = () => {},
): tf.Tensor1D {
  const n = problem.xTrue.shape[0];
  let v = tf.zeros([n]) as tf.Tensor1D;
  let x = tf.zeros([n]) as tf.Tensor1D;
  for (let k = 1; k <= steps; k++) {
    const [vNext, xNext] = tf.tidy(() => {
      const vk = tf.sub(v, tf.mul(leastSquaresGradient(problem, x), tau)) as tf.Tensor1D;
      return [vk, J.prox(tf.mul(vk, delta), delta) as tf.Tensor1D];
    });
    tf.dispose([v, x]);
    v = vNext;
    x = xNext;
    onStep(k, x);
  }
  v.dispose();
  return x;
}
