import { weightsOfNew } from '@bregman/test-utils';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { convNet } from './conv-net.js';
import { mlp } from './mlp.js';

describe('builder init options', () => {
  it('same seed → same weights, other seed → other weights', () => {
    const weights = (seed: number) =>
      weightsOfNew(() => mlp({ sizes: [20, 10, 3], init: { density: 0.3, seed } }));
    const a = weights(1);
    expect(weights(1)).toEqual(a);
    const b = weights(2);
    for (let i = 0; i < a.length; i++) expect(b[i]).not.toEqual(a[i]);
  });

  it('positive uniform biases U(0, 1/√fan_in) by default, zeros on request; He or Glorot by activation', () => {
    const model = convNet({ init: { seed: 1 } });
    const bias = model.getLayer('dense_1').getWeights()[1]!.dataSync();
    expect(Math.min(...bias)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...bias)).toBeLessThan(1 / Math.sqrt(1024));
    const config = model.getLayer('conv_2').getConfig().kernelInitializer as {
      config: Record<string, unknown>;
    };
    expect(config.config).toMatchObject({ density: 1, variance: 'he', groups: 'entry' });
    model.dispose();
    const tanh = mlp({ sizes: [8, 4, 2], activation: 'tanh', init: { bias: 'zeros' } });
    expect(Array.from(tanh.getLayer('dense_1').getWeights()[1]!.dataSync())).toEqual([0, 0, 0, 0]);
    expect(
      (tanh.getLayer('dense_1').getConfig().kernelInitializer as { config: { variance: string } })
        .config.variance,
    ).toBe('glorot');
    tanh.dispose();
  });

  it('kernel groups on convs: whole [kh, kw] slices are zero', () => {
    const model = convNet({ init: { density: 0.1, groups: { conv: 'kernel' }, seed: 4 } });
    const kernel = model.getLayer('conv_2').getWeights()[0]!;
    const perSlice = tf.tidy(() => tf.notEqual(kernel, 0).sum([0, 1]).dataSync());
    expect(new Set(perSlice)).toEqual(new Set([0, 25]));
    model.dispose();
  });

  it.each<[string, () => unknown, RegExp]>([
    [
      'mlp sizes',
      () => mlp({ sizes: [784] }),
      /mlp: sizes must list at least the input and output widths/,
    ],
    [
      'mlp width',
      () => mlp({ sizes: [784, 0, 10] }),
      /mlp: sizes\[1\] must be an integer ≥ 1, got 0/,
    ],
    [
      'mlp inputShape',
      () => mlp({ sizes: [784, 10], inputShape: [28, 27] }),
      /inputShape \[28, 27\] has 756 entries but sizes\[0\] is 784/,
    ],
    [
      'density',
      () => mlp({ sizes: [4, 2], init: { density: 2 } }),
      /density must be a number in \(0, 1\], got 2/,
    ],
    [
      'dense kernel groups',
      () => mlp({ sizes: [4, 2], init: { groups: { dense: 'kernel' } } }),
      /init.groups.dense must be 'entry' or 'neuron'/,
    ],
    [
      'bias',
      () => mlp({ sizes: [4, 2], init: { bias: 'ones' as never } }),
      /init.bias must be 'positiveUniform' or 'zeros'/,
    ],
    [
      'convNet input',
      () => convNet({ inputShape: [12, 12, 1] }),
      /too small for two conv5×5 \+ maxpool2 stages/,
    ],
    [
      'convNet filters',
      () => convNet({ filters: 1.5 }),
      /convNet: filters must be an integer ≥ 1, got 1.5/,
    ],
  ])('bad %s is an error naming it', (_n, make, message) => {
    expect(make).toThrow(message);
  });
});
