import { L1 } from '@bregman/core-prox';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { LinBreg } from './lin-breg.js';

let id = 0;

/** Least squares ‖Ax − b‖²/(2m) with Gaussian A (m×n, entries N(0, 1/m)) and s-sparse x*. */
function sparseProblem(m: number, n: number, s: number, seed: number) {
  const A = tf.randomNormal([m, n], 0, 1 / Math.sqrt(m), 'float32', seed);
  const support = tf.topk(tf.randomUniform([n], 0, 1, 'float32', seed + 1), s).indices;
  const values = tf.mul(
    tf.randomUniform([s], 1, 2, 'float32', seed + 2),
    tf.sign(tf.randomUniform([s], -1, 1, 'float32', seed + 3)),
  );
  const xTrue = tf.scatterND(tf.expandDims(support, 1), values, [n]).reshape([n, 1]);
  const b = tf.matMul(A, xTrue);
  const x = tf.variable(tf.zeros([n, 1]), true, `recovery${id++}/x`);
  const loss = () => tf.div(tf.sum(tf.square(tf.sub(tf.matMul(A, x), b))), 2 * m) as tf.Scalar;
  // Lipschitz constant of ∇L: λmax(AᵀA)/m, by power iteration in float64
  const a = Array.from(A.dataSync());
  let u = new Array<number>(n).fill(1);
  let lmax = 0;
  for (let it = 0; it < 200; it++) {
    const Au = Array.from({ length: m }, (_, i) =>
      u.reduce((s2, uj, j) => s2 + a[i * n + j]! * uj, 0),
    );
    const w = Array.from({ length: n }, (_, j) =>
      Au.reduce((s2, ai, i) => s2 + a[i * n + j]! * ai, 0),
    );
    lmax = Math.hypot(...w);
    u = w.map((wj) => wj / lmax);
  }
  const dispose = () => tf.dispose([A, support, values, xTrue, b, x]);
  return { x, xTrue: Array.from(xTrue.dataSync()), loss, lipschitz: lmax / m, dispose };
}

describe('sparse recovery, the classic use of linearized Bregman iterations', () => {
  it('LinBreg with ℓ1 from θ = 0 finds the support of an 8-sparse x* and x* to 1e-3, growing the support from empty', () => {
    const p = sparseProblem(60, 200, 8, 42);
    const optimizer = new LinBreg({
      learningRate: 1,
      delta: 10,
      rules: [{ match: p.x.name, regularizer: new L1({ lambda: 1 }) }],
    });
    const maxTrue = Math.max(...p.xTrue.map(Math.abs));
    // entries below this are float32 round-off (a float64 run shows them at 1e-14)
    const roundOff = 1e-4 * maxTrue;
    const supportOf = (values: ArrayLike<number>) =>
      Array.from(values).flatMap((v, i) => (Math.abs(v) > roundOff ? [i] : []));
    const sizes: number[] = [];
    for (let k = 0; k < 1000; k++) {
      optimizer.minimize(p.loss);
      sizes.push(supportOf(p.x.dataSync()).length);
    }
    const x = Array.from(p.x.dataSync());
    expect(supportOf(x)).toEqual(supportOf(p.xTrue));
    expect(supportOf(p.xTrue)).toHaveLength(8);
    const error = Math.hypot(...x.map((v, i) => v - p.xTrue[i]!)) / Math.hypot(...p.xTrue);
    expect(error).toBeLessThan(1e-3);
    // inverse scale space: empty at first, then entries join one at a time
    expect(sizes.slice(0, 10)).toEqual(new Array(10).fill(0));
    expect(new Set(sizes.filter((n) => n > 0 && n < 8)).size).toBeGreaterThan(2);
    optimizer.dispose();
    p.dispose();
  });
});

describe('Theorem 3.2: with τ ≤ 2/(δL) the loss never increases', () => {
  const run = (tauTimesDeltaL: number) => {
    const p = sparseProblem(40, 100, 5, 7);
    const delta = 2;
    const optimizer = new LinBreg({
      learningRate: tauTimesDeltaL / (delta * p.lipschitz),
      delta,
      rules: [{ match: p.x.name, regularizer: new L1({ lambda: 0.1 }) }],
    });
    const losses: number[] = [];
    for (let k = 0; k < 300; k++) {
      const loss = optimizer.minimize(p.loss, true)!;
      losses.push(loss.dataSync()[0]!);
      loss.dispose();
    }
    optimizer.dispose();
    p.dispose();
    return losses;
  };

  it('τ = 1.9/(δL): monotone decrease (to float32 rounding)', () => {
    const losses = run(1.9);
    for (let k = 1; k < losses.length; k++) {
      expect(losses[k]!).toBeLessThanOrEqual(losses[k - 1]! * (1 + 1e-6) + 1e-9);
    }
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 1e-3);
  });

  it('τ = 2.5/(δL): the guarantee is gone and the loss does go up', () => {
    const losses = run(2.5);
    expect(losses.some((l, k) => k > 0 && l > losses[k - 1]! * 1.01)).toBe(true);
  });
});
