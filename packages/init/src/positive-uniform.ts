import { checkPositive } from '@bregman/core-prox';
import * as tf from '@tensorflow/tfjs-core';
import { InitializerBase } from './initializer-base.js';
import { checkSeed } from './validation.js';

/** Options of {@link PositiveUniform}. */
export interface PositiveUniformOptions {
  /**
   * Fan-in of the layer the bias belongs to (`nIn` of a Dense layer, `kh·kw·cin` of a
   * Conv2D layer). Required: a bias initializer only sees the bias's own shape.
   */
  fanIn: number;
  /** c > 0 of `U(0, c/√fan_in)` (default 1, the paper's experiments). */
  scale?: number;
  /** Integer seed: the same seed gives the same biases. */
  seed?: number;
}

/**
 * Positive uniform biases `b ∼ U(0, c/√fan_in)` for sparse ReLU nets (paper §4.1): with
 * zero biases every dead neuron (zero incoming weights) outputs the same value and the
 * symmetry between them never breaks; positive biases also keep information flowing through
 * the ReLUs. Registered for tfjs serialization as `'PositiveUniform'`.
 *
 * @example
 * ```ts
 * tf.layers.dense({ units: 200, inputShape: [784], biasInitializer: new PositiveUniform({ fanIn: 784 }) });
 * ```
 */
export class PositiveUniform extends InitializerBase {
  /** Registered name for tfjs serialization. */
  static className = 'PositiveUniform';
  /** The layer's fan-in. */
  readonly fanIn: number;
  /** c of `U(0, c/√fan_in)`. */
  readonly scale: number;
  /** The seed, or undefined for a random draw each time. */
  readonly seed: number | undefined;

  constructor(options: PositiveUniformOptions) {
    super();
    const { fanIn, scale = 1, seed } = options ?? ({} as PositiveUniformOptions);
    if (!Number.isInteger(fanIn) || fanIn < 1) {
      throw new RangeError(`PositiveUniform: fanIn must be an integer ≥ 1, got ${String(fanIn)}`);
    }
    checkPositive('PositiveUniform: scale', scale);
    checkSeed('PositiveUniform: seed', seed);
    this.fanIn = fanIn;
    this.scale = scale;
    this.seed = seed;
  }

  /** The upper end `c/√fan_in` of the range. */
  get maxval(): number {
    return this.scale / Math.sqrt(this.fanIn);
  }

  /** Draws `U(0, c/√fan_in)` values of shape `shape` (float32 only). */
  override apply(shape: number[], dtype: tf.DataType = 'float32'): tf.Tensor {
    if (dtype !== 'float32') {
      throw new RangeError(`PositiveUniform: dtype must be 'float32', got '${dtype}'`);
    }
    return tf.randomUniform(shape, 0, this.maxval, 'float32', this.seed);
  }

  /** The options, for tfjs serialization (`seed` only when set). */
  override getConfig(): tf.serialization.ConfigDict {
    return {
      fanIn: this.fanIn,
      scale: this.scale,
      ...(this.seed === undefined ? {} : { seed: this.seed }),
    };
  }
}

tf.serialization.registerClass(PositiveUniform);
