import { packageReadme } from '@bregman/test-utils';
import { expect, it } from 'vitest';

const readme = packageReadme(import.meta.url, ['datasets']);

it('the README example loads MNIST, splits 55k / 5k and prints one batch and the validation split as tensors', async () => {
  const printed = (await readme.run()).join('\n');
  expect(printed).toMatch(/^train 55000, validation 5000, test 10000$/m);
  const counts = /^train labels: ([\d ]+)$/m.exec(printed)![1]!.split(' ').map(Number);
  const full = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
  expect(counts.reduce((a, b) => a + b, 0)).toBe(55000);
  counts.forEach((n, k) => {
    // a random 5,000 of 60,000 leaves about 11/12 of each class
    expect(Math.abs(n - (full[k]! * 11) / 12)).toBeLessThan(100);
  });
  const [, mean, std] = /^mean ([\d.]+), std ([\d.]+)$/m.exec(printed)!.map(Number);
  expect(mean).toBeCloseTo(0.1307, 2);
  expect(std).toBeCloseTo(0.3081, 2);
  expect(printed).toMatch(/^x float32 \[128,784\], y float32 \[128,10\]$/m);
  const batch = /^batch labels: ([\d ]+)$/m.exec(printed)![1]!.split(' ').map(Number);
  expect(batch).toHaveLength(10);
  expect(batch.reduce((a, b) => a + b, 0)).toBe(128);
  expect(printed).toMatch(/^validation x \[5000,784\], y \[5000,10\]$/m);
});
