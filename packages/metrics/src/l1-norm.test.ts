import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { l1Norm } from './l1-norm.js';
import { convNet, convNetCounts, denseModel } from './models.test-helper.js';

describe('l1Norm: Σ|w| over Dense and Conv2D kernels', () => {
  it('sums the kernels of every layer, not the biases', () => {
    const model = convNet(); // its biases are all non-zero and would add 3 + 4 + 1
    expect(l1Norm(model)).toBeCloseTo(convNetCounts.l1, 5);
    model.dispose();
  });

  it('is exact on a small kernel, 0 on a zero kernel, and leaves no tensors', () => {
    const model = denseModel([1, -2, 0, 0.5, -0.25, 0]);
    const before = tf.memory().numTensors;
    expect(l1Norm(model)).toBe(3.75);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    const zero = denseModel([0, 0, 0, 0, 0, 0], [5, 5]);
    expect(l1Norm(zero)).toBe(0);
    zero.dispose();
  });

  it('rejects a model without kernels', () => {
    expect(() => l1Norm(tf.sequential())).toThrow(/l1Norm: the model has no built Dense/);
  });
});
