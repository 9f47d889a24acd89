import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { PositiveUniform } from './positive-uniform.js';
import { moments } from './stats.test-helper.js';

describe('PositiveUniform: b ∼ U(0, c/√fan_in)', () => {
  it('draws positive values below c/√fan_in with the uniform mean and variance', () => {
    const init = new PositiveUniform({ fanIn: 400, scale: 2, seed: 1 });
    expect(init.maxval).toBeCloseTo(0.1, 12);
    const b = init.apply([100_000]);
    const values = b.dataSync();
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(0.1);
    const { mean, variance } = moments(values);
    // U(0, m): mean m/2, variance m²/12; standard errors ≈ 0.1 % and 0.2 % here
    expect(Math.abs(mean / 0.05 - 1)).toBeLessThan(0.01);
    expect(Math.abs(variance / (0.01 / 12) - 1)).toBeLessThan(0.02);
    b.dispose();
  });

  it('is seedable and a bias initializer of tf.layers.dense', () => {
    const layer = () =>
      tf.sequential({
        layers: [
          tf.layers.dense({
            inputShape: [16],
            units: 32,
            biasInitializer: new PositiveUniform({ fanIn: 16, seed: 4 }),
          }),
        ],
      });
    const [a, b] = [layer(), layer()];
    const biasA = Array.from(a.layers[0]!.getWeights()[1]!.dataSync());
    expect(Array.from(b.layers[0]!.getWeights()[1]!.dataSync())).toEqual(biasA);
    expect(biasA.every((v) => v >= 0 && v < 0.25)).toBe(true);
    expect(new Set(biasA).size).toBe(32);
    a.dispose();
    b.dispose();
  });

  it('round-trips through the tfjs serialization registry', () => {
    const init = new PositiveUniform({ fanIn: 9, scale: 0.5, seed: 2 });
    const entry = tf.serialization.SerializationMap.getMap().classNameMap.PositiveUniform!;
    const rebuilt = entry[1](entry[0], JSON.parse(JSON.stringify(init.getConfig())));
    expect((rebuilt as PositiveUniform).getConfig()).toEqual({ fanIn: 9, scale: 0.5, seed: 2 });
    const [x, y] = [init.apply([5]), (rebuilt as PositiveUniform).apply([5])];
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
    tf.dispose([x, y]);
  });

  it.each<[string, () => unknown, RegExp]>([
    ['fanIn 0', () => new PositiveUniform({ fanIn: 0 }), /fanIn must be an integer ≥ 1, got 0/],
    [
      'fanIn missing',
      () => new PositiveUniform({} as never),
      /fanIn must be an integer ≥ 1, got undefined/,
    ],
    [
      'scale',
      () => new PositiveUniform({ fanIn: 3, scale: -1 }),
      /scale must be a finite number > 0, got -1/,
    ],
    ['seed', () => new PositiveUniform({ fanIn: 3, seed: Number.NaN }), /seed must be an integer/],
    [
      'dtype',
      () => new PositiveUniform({ fanIn: 3 }).apply([2], 'int32'),
      /dtype must be 'float32'/,
    ],
  ])('bad %s is an error naming it', (_n, make, message) => {
    expect(make).toThrow(message);
  });
});
