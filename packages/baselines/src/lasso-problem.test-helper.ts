import * as tf from '@tensorflow/tfjs';

let id = 0;

/**
 * Sparse recovery: `L(x) = ‖Ax − b‖²/(2m)` with Gaussian `A` (m×n, entries N(0, 1), so that
 * `AᵀA/m` is close to the identity on sparse vectors), an s-sparse `x*` with entries of
 * magnitude in [1, 2] and `b = Ax*`. The checks run in float64 from A and b read back once.
 */
export function lassoProblem(m: number, n: number, s: number, seed: number) {
  const A = tf.randomNormal([m, n], 0, 1, 'float32', seed);
  const support = tf.topk(tf.randomUniform([n], 0, 1, 'float32', seed + 1), s).indices;
  const values = tf.mul(
    tf.randomUniform([s], 1, 2, 'float32', seed + 2),
    tf.sign(tf.randomUniform([s], -1, 1, 'float32', seed + 3)),
  );
  const xTrue = tf.reshape(tf.scatterND(tf.expandDims(support, 1), values, [n]), [n, 1]);
  const b = tf.matMul(A, xTrue);
  const x = tf.variable(tf.zeros([n, 1]), true, `lasso${id++}/x`);
  const loss = () => tf.div(tf.sum(tf.square(tf.sub(tf.matMul(A, x), b))), 2 * m) as tf.Scalar;
  const a = Float64Array.from(A.dataSync());
  const bb = Float64Array.from(b.dataSync());
  /** `Aᵀ(Ax − c)/m` in float64. */
  const normal = (xs: ArrayLike<number>, c: ArrayLike<number> | null) => {
    const r = Array.from({ length: m }, (_, i) => {
      let sum = c ? -c[i]! : 0;
      for (let j = 0; j < n; j++) sum += a[i * n + j]! * xs[j]!;
      return sum;
    });
    return Array.from({ length: n }, (_, j) => {
      let sum = 0;
      for (let i = 0; i < m; i++) sum += a[i * n + j]! * r[i]!;
      return sum / m;
    });
  };
  // Lipschitz constant of ∇L: λmax(AᵀA/m), by power iteration
  let u = new Array<number>(n).fill(1);
  let lipschitz = 0;
  for (let it = 0; it < 300; it++) {
    const w = normal(u, null);
    lipschitz = Math.hypot(...w);
    u = w.map((v) => v / lipschitz);
  }
  const dispose = () => tf.dispose([A, support, values, xTrue, b, x]);
  return {
    x,
    xTrue: Array.from(xTrue.dataSync()),
    loss,
    /** `∇L(x) = Aᵀ(Ax − b)/m` in float64. */
    gradient: (xs: ArrayLike<number>) => normal(xs, bb),
    lipschitz,
    dispose,
  };
}
