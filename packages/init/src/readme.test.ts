import { packageReadme } from '@bregman/test-utils';
import { expect, it } from 'vitest';

const readme = packageReadme(import.meta.url, ['init']);

it('the README example runs: densities near r, whole neurons and kernels', async () => {
  const printed = (await readme.run()).join('\n');
  const layers = [...printed.matchAll(/(\w+) (\d+x\d+): density ([\d.]+), std ([\d.]+)/g)];
  expect(layers.map((m) => m[2])).toEqual(['784x200', '200x80', '80x10']);
  // std = 0.7·√(2/fan_in/r)
  expect(layers.map((m) => Number(m[4]))).toEqual(
    [784, 200, 80].map((fanIn) => Number((0.7 * Math.sqrt(2 / fanIn / 0.01)).toFixed(3))),
  );
  const total = /model density: ([\d.]+) \((\d+) of (\d+) weights\)/.exec(printed)!;
  expect(Number(total[3])).toBe(784 * 200 + 200 * 80 + 80 * 10);
  expect(Math.abs(Number(total[2]) / Number(total[3]) - 0.01)).toBeLessThan(
    3 * Math.sqrt(0.0099 / 173600),
  );
  const neurons = /neurons alive: (\d+)\/200 (\d+)\/80$/m.exec(printed)!;
  expect(Number(neurons[1])).toBeGreaterThan(0);
  expect(Number(neurons[1])).toBeLessThan(40);
  // the 10-unit output layer gets no neuron sparsity
  expect(printed).toMatch(/^left as they were: 1 output layer\(s\)$/m);
  // Binomial(4096, 0.01): mean 40.96, σ 6.37
  const kernels = Number(/conv kernels alive: (\d+) of 4096/.exec(printed)![1]);
  expect(Math.abs(kernels - 40.96)).toBeLessThan(3 * 6.37);
});
