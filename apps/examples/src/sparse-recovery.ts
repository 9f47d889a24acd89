import { L1 } from '@bregman/core-prox';
import { LinBreg } from '@bregman/optimizers';
import * as tf from '@tensorflow/tfjs';

/** One row of the progress table. */
export interface RecoveryRow {
  step: number;
  /** Entries of x above float32 round-off (1e-4·max|x*|). */
  nonZeros: number;
  /** How many of those are on x*'s support. */
  onSupport: number;
  relativeError: number;
}

/**
 * Recovers an s-sparse x* ∈ Rⁿ from m Gaussian measurements b = Ax* by minimizing
 * ‖Ax − b‖²/(2m) with LinBreg and ℓ1 from x = 0: the support grows from empty (inverse
 * scale space) until it is x*'s.
 */
export function sparseRecovery({ m = 60, n = 200, s = 8, seed = 42, steps = 1000 } = {}) {
  const { A, xTrue, b } = tf.tidy(() => {
    const A = tf.randomNormal([m, n], 0, 1 / Math.sqrt(m), 'float32', seed);
    const support = tf.topk(tf.randomUniform([n], 0, 1, 'float32', seed + 1), s).indices;
    const values = tf.mul(
      tf.randomUniform([s], 1, 2, 'float32', seed + 2),
      tf.sign(tf.randomUniform([s], -1, 1, 'float32', seed + 3)),
    );
    const xTrue = tf.scatterND(tf.expandDims(support, 1), values, [n]).reshape([n, 1]);
    return { A, xTrue, b: tf.matMul(A, xTrue) };
  });
  const x = tf.variable(tf.zeros([n, 1]), true, `sparse-recovery-x-${seed}`);
  const optimizer = new LinBreg({
    learningRate: 1,
    delta: 10,
    rules: [{ match: x.name, regularizer: new L1({ lambda: 1 }) }],
  });
  const truth = Array.from(xTrue.dataSync());
  const onTrue = new Set(truth.flatMap((v, i) => (v !== 0 ? [i] : [])));
  const roundOff = 1e-4 * Math.max(...truth.map(Math.abs));
  const rows: RecoveryRow[] = [];
  for (let step = 1; step <= steps; step++) {
    optimizer.minimize(
      () => tf.div(tf.sum(tf.square(tf.sub(tf.matMul(A, x), b))), 2 * m) as tf.Scalar,
    );
    if (![1, 10, 30, 100, 300, 1000, steps].includes(step) || rows.at(-1)?.step === step) continue;
    const found = Array.from(x.dataSync());
    const nonZero = found.flatMap((v, i) => (Math.abs(v) > roundOff ? [i] : []));
    rows.push({
      step,
      nonZeros: nonZero.length,
      onSupport: nonZero.filter((i) => onTrue.has(i)).length,
      relativeError: Math.hypot(...found.map((v, i) => v - truth[i]!)) / Math.hypot(...truth),
    });
  }
  optimizer.dispose();
  tf.dispose([x, A, xTrue, b]);
  return { rows, m, n, s };
}
