import { L1 } from '@bregman/core-prox';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { lassoProblem } from './lasso-problem.test-helper.js';
import { ProxGD } from './prox-gd.js';

describe('ProxGD solves the lasso (eq. 1.4 with J = λ‖·‖₁)', () => {
  it('60×200 Gaussian A, 8-sparse x*: converges to a point that satisfies the lasso optimality conditions', () => {
    const p = lassoProblem(60, 200, 8, 42);
    const lambda = 0.05;
    const J = new L1({ lambda });
    // τ = 1/Lip(∇L): the classical step size for which L + J decreases at every step
    const optimizer = new ProxGD({
      learningRate: 1 / p.lipschitz,
      rules: [{ match: p.x.name, regularizer: J }],
    });
    const objective = () => tf.tidy(() => tf.add(p.loss(), J.value(p.x)).dataSync()[0] as number);
    const objectives = [objective()];
    for (let k = 0; k < 1500; k++) {
      optimizer.minimize(p.loss);
      if (k % 50 === 49) objectives.push(objective());
    }
    for (let k = 1; k < objectives.length; k++) {
      expect(objectives[k]!).toBeLessThanOrEqual(objectives[k - 1]! * (1 + 1e-6));
    }
    const x = Array.from(p.x.dataSync());
    // a fixed point of float32 ProxGD: one more step moves nothing
    optimizer.minimize(p.loss);
    const moved = Math.max(...Array.from(p.x.dataSync()).map((v, i) => Math.abs(v - x[i]!)));
    expect(moved).toBeLessThan(1e-6);

    // Optimality of the lasso: 0 ∈ ∇L(x) + λ∂‖x‖₁, i.e. ∇L(x)ᵢ = −λ·sign(xᵢ) where xᵢ ≠ 0 and
    // |∇L(x)ᵢ| ≤ λ where xᵢ = 0. ∇L = Aᵀ(Ax − b)/m is evaluated here in float64 at the float32
    // iterate; ProxGD itself computes it in float32 (sums of 60 products, relative error
    // ~60·2⁻²⁴ ≈ 4e-6 of terms of size ≲ 0.05), so its fixed point satisfies the conditions to
    // ~1e-7 (measured: 7.5e-7). The tolerance 1e-5 = 2e-4·λ leaves a 10× margin and is still
    // far below anything a wrong prox scale (τλ vs λ) or a missing prox would produce.
    const tol = 1e-5;
    const g = p.gradient(x);
    const support = x.flatMap((v, i) => (v !== 0 ? [i] : []));
    for (const [i, v] of x.entries()) {
      if (v !== 0)
        expect(Math.abs(g[i]! + lambda * Math.sign(v)), `on support, i=${i}`).toBeLessThan(tol);
      else expect(Math.abs(g[i]!), `off support, i=${i}`).toBeLessThanOrEqual(lambda + tol);
    }
    // sparse, and every entry of x* found with its sign
    expect(support.length).toBeLessThan(20);
    for (const [i, v] of p.xTrue.entries()) {
      if (v !== 0) expect(Math.sign(x[i]!), `sign of x*[${i}]`).toBe(Math.sign(v));
    }
    optimizer.dispose();
    p.dispose();
  });
});
