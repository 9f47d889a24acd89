import { packageReadme } from '@bregman/test-utils';
import { expect, it } from 'vitest';

const readme = packageReadme(import.meta.url, ['core-prox']);

it('the README example runs and prints what its comments say', async () => {
  const printed = await readme.run();
  expect(printed).toHaveLength(4);
  const numbers = (line: string) => (line.match(/-?\d+(\.\d+)?(e-?\d+)?/g) ?? []).map(Number);
  const [prox, kernel, roundTrip, distance] = printed as [string, string, string, string];
  expect(numbers(prox)).toHaveLength(3);
  for (const [i, v] of numbers(prox).entries()) {
    expect(v).toBeCloseTo([0.4, 0, -0.2][i] as number, 6);
  }
  expect(numbers(kernel).filter((_, i) => i % 2 === 1)).toEqual([0, 0, 0]);
  expect(numbers(roundTrip)[0]).toBeLessThan(1e-6);
  expect(numbers(distance)[0]).toBeGreaterThan(0);
});
