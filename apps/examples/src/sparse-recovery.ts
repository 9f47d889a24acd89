// Sparse recovery with linearized Bregman iterations: the inverse scale space in 60 lines.
// Run: pnpm example  (from the repository root)
import { L1 } from '@bregman/core-prox';
import * as tf from '@tensorflow/tfjs';
import { linearizedBregman, sparseProblem } from './lasso.js';

await tf.setBackend('cpu');
const [m, n, s] = [60, 200, 8];
const problem = sparseProblem(m, n, s, 42);
const J = new L1({ lambda: 1 });
const support = new Set(
  Array.from(problem.xTrue.dataSync()).flatMap((v, i) => (v !== 0 ? [i] : [])),
);

console.log(`Recovering an ${s}-sparse x* in R^${n} from ${m} Gaussian measurements`);
console.log('LinBreg with J = ℓ1 (λ = 1), δ = 10, τ = 1, started at x = 0\n');
console.log('  step   non-zeros   on true support   largest off support   relative error');
const report = (step: number, x: tf.Tensor1D) => {
  if (![1, 10, 30, 100, 300, 1000].includes(step)) return;
  const values = x.dataSync();
  const nonZero = Array.from(values).flatMap((v, i) => (v !== 0 ? [i] : []));
  const onSupport = nonZero.filter((i) => support.has(i)).length;
  const offSupport = Math.max(
    0,
    ...nonZero.filter((i) => !support.has(i)).map((i) => Math.abs(values[i]!)),
  );
  const error = tf.tidy(
    () => tf.norm(tf.sub(x, problem.xTrue)).dataSync()[0]! / tf.norm(problem.xTrue).dataSync()[0]!,
  );
  console.log(
    `${String(step).padStart(6)}   ${String(nonZero.length).padStart(9)}   ${String(onSupport).padStart(15)}   ${offSupport.toExponential(2).padStart(19)}   ${error.toExponential(2).padStart(14)}`,
  );
};
const x = linearizedBregman(problem, J, { tau: 1, delta: 10, steps: 1000 }, report);
console.log('\nThe support grows from empty (inverse scale space) and x converges to x*;');
console.log("what is left off x*'s support is as small as the float32 error on it.");
tf.dispose([x, problem.A, problem.b, problem.xTrue]);
