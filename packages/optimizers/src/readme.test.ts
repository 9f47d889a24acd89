import { packageReadme } from '@bregman/test-utils';
import { expect, it } from 'vitest';

const readme = packageReadme(import.meta.url, ['optimizers', 'core-prox']);

it('the README example runs: model.fit with AdaBreg grows a sparse net that learns', async () => {
  const printed = await readme.run();
  const before = Number(/density before: ([\d.]+)/.exec(printed.join('\n'))?.[1]);
  const [, after, accuracy] = /density after: ([\d.]+), accuracy: ([\d.]+)/
    .exec(printed.join('\n'))!
    .map(Number);
  expect(before).toBeGreaterThan(0.05);
  expect(before).toBeLessThan(0.15);
  expect(after!).toBeGreaterThan(before);
  expect(after!).toBeLessThan(0.8);
  expect(accuracy!).toBeGreaterThan(0.8);
});

it('the README example of DensityController runs: λ far too small, the density ends at the target', async () => {
  const printed = await readme.run(1);
  const [, before, after, lambda] = /density ([\d.]+) → ([\d.]+), λ ([\d.e-]+)/
    .exec(printed.join('\n'))!
    .map(Number);
  // a dense start (glorot init, λ far too small) ends at the target
  expect(before!).toBeGreaterThan(0.5);
  expect(Math.abs(after! / 0.1 - 1)).toBeLessThanOrEqual(0.05);
  expect(lambda!).toBeGreaterThan(1e-4);
});
