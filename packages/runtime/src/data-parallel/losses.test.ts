import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { checkLoss, computeLoss, countCorrect } from './losses.js';
import { shardSizes } from './shards.js';

it('the losses equal tfjs’s (categoricalCrossentropy: tfjs-layers’ own)', () => {
  tf.tidy(() => {
    const labels = tf.oneHot(tf.tensor1d([0, 2, 1, 2], 'int32'), 3);
    const logits = tf.tensor2d([
      [2, -1, 0.5],
      [0.1, 0.2, 3],
      [-2, 1, 1],
      [0, 0, 0],
    ]);
    const probabilities = tf.softmax(logits);
    const close = (a: tf.Scalar, b: tf.Tensor) =>
      expect(a.dataSync()[0]).toBeCloseTo(tf.mean(b).dataSync()[0]!, 6);
    close(
      computeLoss('softmaxCrossEntropy', labels, logits),
      tf.losses.softmaxCrossEntropy(labels, logits),
    );
    close(
      computeLoss('categoricalCrossentropy', labels, probabilities),
      tf.metrics.categoricalCrossentropy(labels, probabilities),
    );
    close(
      computeLoss('meanSquaredError', labels, logits),
      tf.losses.meanSquaredError(labels, logits),
    );
    expect(countCorrect(labels, logits).dataSync()[0]).toBe(3); // not row 3 (ties: the first)
  });
  expect(checkLoss('loss', 'meanSquaredError')).toBe('meanSquaredError');
});

it('shards: contiguous, sizes differ by at most 1, larger first, never empty', () => {
  expect(shardSizes(16, 2)).toEqual([8, 8]);
  expect(shardSizes(7, 2)).toEqual([4, 3]);
  expect(shardSizes(15, 4)).toEqual([4, 4, 4, 3]);
  expect(shardSizes(2, 3)).toEqual([1, 1]);
  expect(shardSizes(1, 1)).toEqual([1]);
});
