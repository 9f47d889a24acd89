import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { MagnitudePruning } from './magnitude-pruning.js';
import { ProxGD } from './prox-gd.js';
import { threshold } from './threshold.js';

// A constructor called without its options object (or with a number, a string, null or an
// array in its place) must say which class needs what, never fail with a bare
// destructuring TypeError nor quietly fill in a required hyperparameter.

const notObjects: unknown[] = [undefined, null, 0.1, 'fast', [0.1]];

describe('without an options object: an error naming the class and what it needs', () => {
  it('ProxGD', () => {
    for (const options of notObjects) {
      expect(() => new ProxGD(options as never)).toThrow(
        /ProxGD: options must be an object with learningRate/,
      );
    }
  });

  it('MagnitudePruning', () => {
    for (const options of notObjects) {
      expect(() => new MagnitudePruning(options as never)).toThrow(
        /MagnitudePruning: options must be an object with targetDensity and endEpoch/,
      );
    }
  });

  it('threshold', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
    for (const options of notObjects) {
      await expect(threshold(model, options as never)).rejects.toThrow(
        /threshold: options must be an object with epsilon/,
      );
    }
    model.dispose();
  });
});
