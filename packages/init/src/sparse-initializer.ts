import {
  checkFraction,
  checkPositive,
  SPARSITY_GROUPS,
  type SparsityGroups,
} from '@bregman/core-prox';
import * as tf from '@tensorflow/tfjs-core';
import { groupShape } from './groups.js';
import { InitializerBase } from './initializer-base.js';
import { groupDraws } from './mask.js';
import { deriveSeed } from './seed.js';
import { checkOneOf, checkSeed } from './validation.js';
import { checkVarianceRule, type VarianceRule, varianceOf } from './variance.js';

/** How the non-zero values are drawn (all three with exactly the variance asked for). */
export type ValueDistribution = 'normal' | 'truncatedNormal' | 'uniform';

/** Every {@link ValueDistribution}. */
export const VALUE_DISTRIBUTIONS = ['normal', 'truncatedNormal', 'uniform'] as const;

/** Options of {@link SparseInitializer}. */
export interface SparseInitOptions {
  /**
   * r ∈ (0, 1]: the probability that an entry (or group) is non-zero, i.e. the expected
   * density `N(W) = ‖W‖₀ / size` (paper eq. 4.2). The paper uses r = 0.01. r = 1 is a
   * plain dense initialization with variance α.
   */
  density: number;
  /** What one Bernoulli draw switches on or off (default `'entry'`, see {@link SparsityGroups}). */
  groups?: SparsityGroups;
  /**
   * α of the dense rule that the masked weights keep (eq. 4.1): `'he'` (default, ReLU),
   * `'glorot'` (symmetric activations), `'lecun'`, or a number.
   */
  variance?: VarianceRule;
  /**
   * Multiplies the standard deviation (default 1): `Var W = gain²·α`. The paper's MLP uses
   * He-normal × 0.7/√r, i.e. `{variance: 'he', gain: 0.7}`.
   */
  gain?: number;
  /**
   * The distribution of the kept values W̃ (default `'normal'`). `'truncatedNormal'` cuts
   * at ±2σ and rescales σ so that the variance is still exact (tfjs's own `heNormal` does
   * not rescale: its variance is 0.774·2/fan_in).
   */
  distribution?: ValueDistribution;
  /** Integer seed: the same seed and shape give the same weights. Left out: a random draw. */
  seed?: number;
}

/** A kernel drawn by {@link SparseInitializer.draw}, with the group draws behind its mask. */
export interface SparseDraw {
  /** `W̃ ⊙ M`, of the shape asked for. */
  kernel: tf.Tensor;
  /** One 0/1 draw per group, of shape {@link groupShape} (broadcasts against the kernel). */
  draws: tf.Tensor;
}

/** Variance of N(0, 1) truncated to [−2, 2] (tfjs's `truncatedNormal` cut). */
const TRUNCATED_VARIANCE = 0.7737413035499232;

/**
 * Sparse initialization of paper §4.1 as a tfjs-layers initializer:
 * `W = W̃ ⊙ M` with `M ∼ B(r)` per entry or per group (eqs. 4.2, 4.4) and
 * `Var W̃ = gain²·α / r` (eqs. 4.3, 4.5), so that `Var W = gain²·α` — the variance of the
 * dense rule — while only a fraction r of the weights (or groups) is non-zero.
 *
 * Serializable (`getConfig`, registered as `'SparseInitializer'`): a model saved with it
 * loads with `tf.loadLayersModel` once this package is imported. A seeded instance gives
 * the same weights for every tensor of the same shape, like tfjs's own seeded
 * initializers: give each layer its own seed (see {@link deriveSeed}).
 *
 * @example
 * ```ts
 * tf.layers.dense({ units: 200, kernelInitializer: new SparseInitializer({ density: 0.01 }) });
 * tf.layers.conv2d({
 *   filters: 64, kernelSize: 5,
 *   kernelInitializer: new SparseInitializer({ density: 0.01, groups: 'kernel', seed: 1 }),
 * });
 * ```
 */
export class SparseInitializer extends InitializerBase {
  /** Registered name for tfjs serialization. */
  static className = 'SparseInitializer';
  /** r: the probability that an entry (or group) is non-zero. */
  readonly density: number;
  /** What one Bernoulli draw switches on or off. */
  readonly groups: SparsityGroups;
  /** The rule for α. */
  readonly variance: VarianceRule;
  /** Multiplier of the standard deviation. */
  readonly gain: number;
  /** The distribution of the kept values. */
  readonly distribution: ValueDistribution;
  /** The seed, or undefined for a random draw each time. */
  readonly seed: number | undefined;

  constructor(options: SparseInitOptions) {
    super();
    const {
      density,
      groups = 'entry',
      variance = 'he',
      gain = 1,
      distribution = 'normal',
      seed,
    } = options ?? ({} as SparseInitOptions);
    checkFraction('SparseInitializer: density', density);
    checkOneOf('SparseInitializer: groups', groups, SPARSITY_GROUPS);
    checkVarianceRule('SparseInitializer: variance', variance);
    checkPositive('SparseInitializer: gain', gain);
    checkOneOf('SparseInitializer: distribution', distribution, VALUE_DISTRIBUTIONS);
    checkSeed('SparseInitializer: seed', seed);
    this.density = density;
    this.groups = groups;
    this.variance = variance;
    this.gain = gain;
    this.distribution = distribution;
    this.seed = seed;
  }

  /** Standard deviation of the kept values W̃ for a kernel of this shape: `gain·√(α/r)`. */
  stddev(shape: readonly number[]): number {
    return this.gain * Math.sqrt(varianceOf(this.variance, shape) / this.density);
  }

  /** Draws `W̃ ⊙ M` for a kernel of shape `shape` (float32 only). */
  override apply(shape: number[], dtype?: tf.DataType): tf.Tensor {
    return tf.tidy(() => {
      const { kernel, draws } = this.draw(shape, dtype);
      draws.dispose();
      return kernel;
    });
  }

  /**
   * Draws the kernel and returns it with its group draws (0/1, shape
   * {@link groupShape}); both are new tensors the caller owns.
   */
  draw(shape: readonly number[], dtype: tf.DataType = 'float32'): SparseDraw {
    if (dtype !== 'float32') {
      throw new RangeError(`SparseInitializer: dtype must be 'float32', got '${dtype}'`);
    }
    if (!shape.every((d) => Number.isInteger(d) && d > 0)) {
      throw new RangeError(
        `SparseInitializer: shape must be positive integers, got [${shape.join(', ')}]`,
      );
    }
    const drawShape = groupShape(shape, this.groups, 'SparseInitializer: groups');
    const std = this.stddev(shape);
    const valueSeed = this.seed === undefined ? undefined : deriveSeed(this.seed, 1);
    const maskSeed = this.seed === undefined ? undefined : deriveSeed(this.seed, 2);
    return tf.tidy(() => {
      const draws = groupDraws(drawShape, this.density, maskSeed);
      const values = drawValues([...shape], std, this.distribution, valueSeed);
      return { kernel: tf.mul(values, draws), draws };
    });
  }

  /** The options, for tfjs serialization (`seed` only when set). */
  override getConfig(): tf.serialization.ConfigDict {
    return {
      density: this.density,
      groups: this.groups,
      variance: this.variance,
      gain: this.gain,
      distribution: this.distribution,
      ...(this.seed === undefined ? {} : { seed: this.seed }),
    };
  }
}

tf.serialization.registerClass(SparseInitializer);

/** Values with mean 0 and standard deviation `std` from `distribution`. */
function drawValues(
  shape: number[],
  std: number,
  distribution: ValueDistribution,
  seed: number | undefined,
): tf.Tensor {
  switch (distribution) {
    case 'normal':
      return tf.randomNormal(shape, 0, std, 'float32', seed);
    case 'truncatedNormal':
      return tf.truncatedNormal(shape, 0, std / Math.sqrt(TRUNCATED_VARIANCE), 'float32', seed);
    case 'uniform': {
      const limit = Math.sqrt(3) * std;
      return tf.randomUniform(shape, -limit, limit, 'float32', seed);
    }
  }
}

/** Shorthand for `new SparseInitializer(options)`. */
export function sparseInit(options: SparseInitOptions): SparseInitializer {
  return new SparseInitializer(options);
}
