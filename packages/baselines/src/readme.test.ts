import { packageReadme } from '@bregman/test-utils';
import { expect, it } from 'vitest';

const readme = packageReadme(import.meta.url, ['baselines', 'optimizers', 'core-prox']);

it('the README example runs: ProxGD, lasso + threshold and pruning each give a sparse net that learns', async () => {
  const printed = await readme.run();
  const line = (name: string) => {
    const match = new RegExp(`^${name}: density ([\\d.]+), accuracy ([\\d.]+)$`, 'm').exec(
      printed.join('\n'),
    );
    if (!match) throw new Error(`no line for ${name} in:\n${printed.join('\n')}`);
    return { density: Number(match[1]), accuracy: Number(match[2]) };
  };
  const proxgd = line('ProxGD');
  const sgd = line('SGD on L \\+ J');
  const thresholded = line('SGD \\+ thresh\\. \\(removed \\d+\\)');
  const pruning = line('pruning');
  expect(pruning.density).toBe(0.125);
  expect(sgd.density).toBeGreaterThan(0.95); // subgradient descent leaves them near zero, not at it
  expect(thresholded.density).toBeLessThan(0.6);
  expect(proxgd.density).toBeLessThan(0.8);
  for (const r of [proxgd, sgd, thresholded, pruning]) expect(r.accuracy).toBeGreaterThan(0.75);
});
