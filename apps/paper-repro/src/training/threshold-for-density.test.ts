import { threshold } from '@bregman/baselines';
import { sparsity } from '@bregman/metrics';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { thresholdForDensity } from './threshold-for-density.js';

function model() {
  const m = tf.sequential();
  m.add(
    tf.layers.conv2d({
      inputShape: [6, 6, 2],
      filters: 3,
      kernelSize: 3,
      kernelInitializer: 'glorotNormal',
    }),
  );
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 5, kernelInitializer: 'glorotNormal' }));
  return m;
}

describe('thresholdForDensity', () => {
  it.each([0.5, 0.1, 0.02, 1])(
    'entrywise: thresholding at ε leaves at most %s of the weights (and no fewer than one less)',
    async (density) => {
      const m = model();
      const epsilon = await thresholdForDensity(m, density);
      await threshold(m, { epsilon });
      const { nonZeros, size } = sparsity(m);
      expect(nonZeros).toBeLessThanOrEqual(Math.floor(density * size));
      expect(nonZeros).toBeGreaterThanOrEqual(Math.floor(density * size) - 1);
      m.dispose();
    },
  );

  it('by groups: whole conv kernels and dense neurons are the units', async () => {
    const m = model();
    const epsilon = await thresholdForDensity({ layers: [m.layers[0]!] }, 0.5, { conv: true });
    await threshold({ layers: [m.layers[0]!] }, { epsilon, groups: { conv: true } });
    expect(sparsity(m).convKernels).toBeCloseTo(3 / 6, 6);
    m.dispose();
  });

  it('a density outside (0, 1] is an error', async () => {
    const m = model();
    await expect(thresholdForDensity(m, 0)).rejects.toThrow(/density must be in \(0, 1\], got 0/);
    m.dispose();
  });
});
