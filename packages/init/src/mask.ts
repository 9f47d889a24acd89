import type { SparsityGroups } from '@bregman/core-prox';
import { checkFraction } from '@bregman/core-prox';
import * as tf from '@tensorflow/tfjs-core';
import { groupShape } from './groups.js';
import { checkSeed } from './validation.js';

/** Options of {@link bernoulliMask}. */
export interface MaskOptions {
  /** r ∈ (0, 1]: the probability that a group is kept (the expected density, eq. 4.2). */
  density: number;
  /** What one draw switches on or off (default `'entry'`). */
  groups?: SparsityGroups;
  /** Integer seed: the same seed gives the same mask. */
  seed?: number;
}

/**
 * A 0/1 `float32` mask of shape `shape` with one Bernoulli(r) draw per group
 * (`M ∼ B(r)`, paper §4.1): whole columns for `'neuron'`, whole `[kh, kw]` slices for
 * `'kernel'`.
 */
export function bernoulliMask(shape: readonly number[], options: MaskOptions): tf.Tensor {
  const { density, groups = 'entry', seed } = options;
  checkFraction('bernoulliMask: density', density);
  checkSeed('bernoulliMask: seed', seed);
  const drawShape = groupShape(shape, groups, 'bernoulliMask: groups');
  return tf.tidy(() => {
    const draws = groupDraws(drawShape, density, seed);
    return drawShape.every((d, i) => d === shape[i]) ? draws : tf.broadcastTo(draws, [...shape]);
  });
}

/** One Bernoulli(r) draw per entry of `drawShape`, as 0/1 float32 (`u < r`, u ∼ U[0, 1)). */
export function groupDraws(drawShape: number[], density: number, seed?: number): tf.Tensor {
  return tf.tidy(() =>
    tf.cast(tf.less(tf.randomUniform(drawShape, 0, 1, 'float32', seed), density), 'float32'),
  );
}
