import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { groupReduceAxes, groupShape } from './groups.js';
import { bernoulliMask } from './mask.js';
import { threeSigma } from './stats.test-helper.js';

describe('bernoulliMask', () => {
  it('is 0/1 of the full shape, constant on each group, kept with probability r', () => {
    const mask = bernoulliMask([3, 3, 40, 50], { density: 0.3, groups: 'kernel', seed: 8 });
    expect(mask.shape).toEqual([3, 3, 40, 50]);
    const values = new Set(mask.dataSync());
    expect([...values].sort()).toEqual([0, 1]);
    const sums = tf.tidy(() => tf.sum(mask, [0, 1]));
    const perSlice = new Set(sums.dataSync());
    const kept = sums.dataSync().filter((v) => v > 0).length / sums.size;
    sums.dispose();
    expect([...perSlice].sort()).toEqual([0, 9]);
    expect(Math.abs(kept - 0.3)).toBeLessThanOrEqual(threeSigma(0.3, 2000));
    mask.dispose();
  });

  it('same seed, same mask; groups default to entries', () => {
    const [a, b] = [
      bernoulliMask([50, 50], { density: 0.5, seed: 1 }),
      bernoulliMask([50, 50], { density: 0.5, seed: 1 }),
    ];
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    tf.dispose([a, b]);
  });

  it('rejects a density outside (0, 1]', () => {
    expect(() => bernoulliMask([2], { density: 0 })).toThrow(
      /bernoulliMask: density must be a number in \(0, 1\], got 0/,
    );
  });
});

describe('groupShape / groupReduceAxes', () => {
  it('gives one draw per group and the matching GroupL12 reduce axes', () => {
    expect(groupShape([784, 200], 'entry')).toEqual([784, 200]);
    expect(groupShape([784, 200], 'neuron')).toEqual([1, 200]);
    expect(groupShape([5, 5, 1, 64], 'neuron')).toEqual([1, 1, 1, 64]);
    expect(groupShape([5, 5, 1, 64], 'kernel')).toEqual([1, 1, 1, 64]);
    expect(groupShape([5, 5, 32, 64], 'kernel')).toEqual([1, 1, 32, 64]);
    expect(groupReduceAxes('neuron', 2)).toEqual([0]);
    expect(groupReduceAxes('neuron', 4)).toEqual([0, 1, 2]);
    expect(groupReduceAxes('kernel', 4)).toEqual([0, 1]);
    expect(() => groupReduceAxes('entry', 2)).toThrow(/entry sparsity is plain ℓ1/);
    expect(() => groupReduceAxes('kernel', 2)).toThrow(/rank must be an integer ≥ 3/);
  });
});
