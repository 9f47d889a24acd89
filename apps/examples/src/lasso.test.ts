import { L1 } from '@bregman/core-prox';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { linearizedBregman, sparseProblem } from './lasso.js';

it('linearized Bregman iterations recover an 8-sparse x*, growing the support from empty', () => {
  const problem = sparseProblem(60, 200, 8, 42);
  const truth = Array.from(problem.xTrue.dataSync());
  const support = truth.flatMap((v, i) => (v !== 0 ? [i] : []));
  const sizes: number[] = [];
  const x = linearizedBregman(
    problem,
    new L1({ lambda: 1 }),
    { tau: 1, delta: 10, steps: 1000 },
    (_k, xk) => sizes.push(xk.dataSync().filter((v) => v !== 0).length),
  );
  const found = Array.from(x.dataSync());
  // x* is found: every entry of its support, and nothing else above float32 round-off
  const maxTrue = Math.max(...truth.map(Math.abs));
  expect(found.flatMap((v, i) => (Math.abs(v) > 1e-4 * maxTrue ? [i] : []))).toEqual(support);
  const error = Math.hypot(...found.map((v, i) => v - (truth[i] as number))) / Math.hypot(...truth);
  expect(error).toBeLessThan(1e-3);
  // inverse scale space: the first steps are empty, entries appear one by one
  expect(sizes.slice(0, 10)).toEqual(new Array(10).fill(0));
  expect(sizes.slice(10, 40).some((n) => n > 0 && n < 8)).toBe(true);
  tf.dispose([x, problem.A, problem.b, problem.xTrue]);
});
