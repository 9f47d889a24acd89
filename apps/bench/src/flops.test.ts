import { convNet, mlp, resnet18 } from '@bregman/models';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { trainingFlops } from './flops.js';

describe('trainingFlops', () => {
  it('MLP 784-200-80-10: forward, weight gradients, and input gradients but for the first layer', () => {
    const model = mlp({ sizes: [784, 200, 80, 10] });
    const macs = 784 * 200 + 200 * 80 + 80 * 10;
    expect(trainingFlops(model, 128)).toEqual({
      forward: 2 * 128 * macs,
      weightGradients: 2 * 128 * macs,
      inputGradients: 2 * 128 * (200 * 80 + 80 * 10),
      total: 2 * 128 * (2 * macs + 200 * 80 + 80 * 10),
    });
    model.dispose();
  });

  it('the paper ConvNet: 5×5 convolutions at 24² and 8² positions, then the dense layers', () => {
    const model = convNet();
    const conv1 = 24 * 24 * 64 * 25; // 28 → 24, one input channel
    const conv2 = 8 * 8 * 64 * 25 * 64; // 12 → 8
    const dense = 1024 * 128 + 128 * 10;
    const flops = trainingFlops(model, 32);
    expect(flops.forward).toBe(2 * 32 * (conv1 + conv2 + dense));
    expect(flops.inputGradients).toBe(2 * 32 * (conv2 + dense));
    model.dispose();
  });

  it('ResNet-18 (CIFAR): about 0.56 GFLOP forward per image, the stem without an input gradient', () => {
    const model = resnet18();
    const flops = trainingFlops(model, 1);
    // the CIFAR ResNet-18's well-known ~0.56 G multiply-adds: 1.11 GFLOP
    expect(flops.forward / 2 / 1e9).toBeCloseTo(0.556, 2);
    const stem = 32 * 32 * 64 * 27 * 2;
    expect(flops.inputGradients).toBe(flops.forward - stem);
    model.dispose();
  });

  it('a layer with weights that it cannot count is an error naming it', () => {
    const model = tf.sequential({
      layers: [tf.layers.conv1d({ inputShape: [8, 2], filters: 3, kernelSize: 3 })],
    });
    expect(() => trainingFlops(model, 1)).toThrow(
      /layer '[^']+' \(Conv1D\) has weights but no FLOP count here/,
    );
  });
});
