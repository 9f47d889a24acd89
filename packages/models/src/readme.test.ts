import { packageReadme } from '@bregman/test-utils';
import { expect, it } from 'vitest';

const readme = packageReadme(import.meta.url, ['models', 'optimizers', 'core-prox']);

it('the README example runs: mlp, 2 LinBreg steps, compact to the same function', async () => {
  const printed = (await readme.run()).join('\n');
  const units = [...printed.matchAll(/(dense_\d) (\d+)→(\d+)/g)].map((m) => [
    m[1],
    Number(m[2]),
    Number(m[3]),
  ]);
  expect(units.map((u) => u.slice(0, 2))).toEqual([
    ['dense_1', 200],
    ['dense_2', 80],
    ['dense_3', 10],
  ]);
  const [u1, u2, u3] = units.map((u) => u[2] as number) as [number, number, number];
  expect(u3).toBe(10);
  // ~5 % of 200 and 80 neurons alive at init; 2 steps cannot revive many
  expect(u1).toBeGreaterThan(0);
  expect(u1).toBeLessThan(50);
  expect(u2).toBeLessThan(30);
  const [, paramsBefore, paramsAfter] = /parameters: (\d+) → (\d+)/.exec(printed)!.map(Number);
  expect(paramsBefore).toBe(173_890);
  expect(paramsAfter).toBe(784 * u1 + u1 + u1 * u2 + u2 + u2 * 10 + 10);
  const [, flopsBefore, flopsAfter] = /FLOPs per example: (\d+) → (\d+)/.exec(printed)!.map(Number);
  expect(flopsBefore).toBe(2 * (784 * 200 + 200 * 80 + 80 * 10));
  expect(flopsAfter).toBe(2 * (784 * u1 + u1 * u2 + u2 * 10));
  const diff = Number(/max \|output difference\|: (\S+)/.exec(printed)![1]);
  expect(diff).toBeLessThan(1e-5);
});

it('the README SparseAwareStep example runs: a live step on the Table 2 ConvNet', async () => {
  const printed = (await readme.run(1)).join('\n');
  const [, varying, gradientOnly] =
    /conv_1 units computed: (\d+) varying \+ (\d+) for their gradient, of 64/
      .exec(printed)!
      .map(Number);
  expect(varying! + gradientOnly!).toBeLessThan(64);
  const [, sparse, cost, loss] =
    /live step: (true|false), estimated cost (\S+) of the dense step, loss (\S+)/.exec(printed)!;
  expect(sparse).toBe('true');
  expect(Number(cost)).toBeLessThan(0.6);
  expect(Number(loss)).toBeGreaterThan(0);
});
