import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { threshold } from './threshold.js';
import { thresholdForDensity } from './threshold-for-density.js';

function model() {
  const m = tf.sequential();
  m.add(
    tf.layers.conv2d({
      inputShape: [6, 6, 2],
      filters: 3,
      kernelSize: 3,
      kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }),
    }),
  );
  m.add(tf.layers.flatten());
  m.add(
    tf.layers.dense({ units: 5, kernelInitializer: tf.initializers.glorotNormal({ seed: 2 }) }),
  );
  return m;
}

describe('thresholdForDensity', () => {
  it.each([0.5, 0.1, 0.02, 1])(
    'entrywise: thresholding at ε leaves at most %s of the weights (and no fewer than one less)',
    async (density) => {
      const m = model();
      const epsilon = await thresholdForDensity(m, density);
      const { nonZero: nonZeros, size } = await threshold(m, { epsilon });
      expect(nonZeros).toBeLessThanOrEqual(Math.floor(density * size));
      expect(nonZeros).toBeGreaterThanOrEqual(Math.floor(density * size) - 1);
      m.dispose();
    },
  );

  it('by groups: whole conv kernels and dense neurons are the units', async () => {
    const m = model();
    const epsilon = await thresholdForDensity(m, 0.5, { conv: true, dense: true });
    const report = await threshold(m, { epsilon, groups: { conv: true, dense: true } });
    // 6 conv kernels + 5 neurons = 11 units: ⌊0.5 · 11⌋ = 5 kept, 6 removed
    expect(report.layers.map((l) => l.unit)).toEqual(['kernels', 'neurons']);
    expect(report.layers.reduce((n, l) => n + l.removed, 0)).toBe(6);
    m.dispose();
  });

  it('groups of tiny weights keep their magnitude (the float-safe norms threshold uses)', async () => {
    const m = tf.sequential({
      layers: [tf.layers.dense({ units: 2, inputShape: [3], useBias: false })],
    });
    m.layers[0]!.setWeights([
      tf.tensor2d([
        [1e-30, 0],
        [1e-30, 1],
        [1e-30, 0],
      ]),
    ]);
    const epsilon = await thresholdForDensity(m, 1, true);
    expect(epsilon).toBe(0);
    const half = await thresholdForDensity(m, 0.5, true);
    expect(half).toBeGreaterThan(1e-30 * Math.sqrt(3));
    expect(half).toBeLessThan(1);
    m.dispose();
  });

  it('a density outside (0, 1] or a model without kernels is an error naming the argument', async () => {
    const m = model();
    await expect(thresholdForDensity(m, 0)).rejects.toThrow(
      /thresholdForDensity: density must be a number in \(0, 1\], got 0/,
    );
    await expect(thresholdForDensity({ layers: [] }, 0.5)).rejects.toThrow(
      /thresholdForDensity: the model has no Dense or convolution kernel/,
    );
    m.dispose();
  });
});
