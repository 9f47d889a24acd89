import { readFileSync } from 'node:fs';
import { packageReadme } from '@bregman/test-utils';
import { expect, it } from 'vitest';

const readme = packageReadme(import.meta.url, ['metrics', 'core-prox', 'optimizers']);

it('the README example runs and prints the sparsity it promises', async () => {
  const printed = await readme.run();
  expect(printed).toEqual([
    'N_total 0.382, N_linear 0.375, N_conv 0.500',
    'active neurons per Dense layer: 3',
    'Conv2D [3,3,2,4]: 36 of 72 non-zero',
    'Dense [144,8]: 432 of 1152 non-zero',
    'N_total per epoch: 1.000,1.000',
  ]);
  // and the README shows exactly that output
  const text = readFileSync(`${readme.packageDir}/README.md`, 'utf8');
  expect(text).toContain(['```text', ...printed, '```'].join('\n'));
});

it('the README example of epoch lines and mixed callbacks runs: one line per epoch', async () => {
  const printed = await readme.run(1);
  expect(printed).toHaveLength(3);
  printed.forEach((line, i) => {
    expect(line).toMatch(
      new RegExp(
        `^epoch ${i + 1}/3 \\(\\d+\\.\\d\\d s\\): loss [\\d.]+, nTotal 1, nLinear 1, l1Norm [\\d.]+, activeNeurons_0 2$`,
      ),
    );
  });
});

it('the README example of SparsestCheckpoint runs: it keeps a good epoch sparser than the last', async () => {
  const printed = await readme.run(2);
  const [, epoch, density, value] = /kept epoch (\d+): ([\d.]+) % non-zero, val_acc ([\d.]+)/
    .exec(printed.join('\n'))!
    .map(Number);
  // the network grows: the first epochs that reach 80 % are the sparsest good ones
  expect(epoch!).toBeGreaterThanOrEqual(1);
  expect(epoch!).toBeLessThan(15);
  expect(density!).toBeGreaterThan(0);
  expect(density!).toBeLessThan(100);
  expect(value!).toBeGreaterThanOrEqual(0.8);
});
