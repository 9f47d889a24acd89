import { checkPositive } from '@bregman/core-prox';
import * as tf from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { checkFinite } from './validation.js';

/** The options every tfjs layer takes (name, inputShape, …). */
export type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;

/** Options of {@link Standardize}. */
export interface StandardizeArgs extends LayerArgs {
  /** Mean to subtract: one number, or one per channel (the last axis). Default 0. */
  mean?: number | number[];
  /** Standard deviation to divide by (> 0): one number, or one per channel. Default 1. */
  std?: number | number[];
}

/**
 * `(x − mean) / std` inside the model, per channel (last axis) or for all entries: the
 * paper standardizes inputs by the training set's mean and standard deviation, and a model
 * that does it itself cannot be fed unstandardized data by mistake. No trainable weights;
 * `mean` and `std` live in the config, so `model.save` / `tf.loadLayersModel` keep them
 * (registered as `'Standardize'`).
 *
 * @example
 * ```ts
 * tf.sequential({ layers: [new Standardize({ inputShape: [784], mean: 0.1307, std: 0.3081 }), ...] });
 * ```
 */
export class Standardize extends layers.Layer {
  /** Registered name for tfjs serialization. */
  static className = 'Standardize';
  /** The means, one per channel or a single one. */
  readonly mean: number[];
  /** The standard deviations, one per channel or a single one. */
  readonly std: number[];

  constructor(args: StandardizeArgs = {}) {
    super(args);
    const mean = toList(args.mean ?? 0);
    const std = toList(args.std ?? 1);
    if (mean.length === 0 || std.length === 0) {
      throw new RangeError('Standardize: mean and std must not be empty arrays');
    }
    for (const [i, m] of mean.entries()) checkFinite(`Standardize: mean[${i}]`, m);
    for (const [i, s] of std.entries()) checkPositive(`Standardize: std[${i}]`, s);
    if (mean.length > 1 && std.length > 1 && mean.length !== std.length) {
      throw new RangeError(
        `Standardize: mean and std must have the same length (or one of them a single number), got ${mean.length} and ${std.length}`,
      );
    }
    this.mean = mean;
    this.std = std;
  }

  /** Checks that per-channel statistics match the input's last axis. */
  override build(inputShape: (number | null)[] | (number | null)[][]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
    const channels = shape[shape.length - 1];
    for (const [name, values] of [
      ['mean', this.mean],
      ['std', this.std],
    ] as const) {
      if (values.length > 1 && values.length !== channels) {
        throw new RangeError(
          `Standardize: ${name} has ${values.length} entries but the input has ${String(channels)} channels (last axis of [${shape.join(', ')}])`,
        );
      }
    }
    super.build(shape);
  }

  /** The output shape equals the input shape. */
  override computeOutputShape(
    inputShape: (number | null)[] | (number | null)[][],
  ): (number | null)[] | (number | null)[][] {
    return inputShape;
  }

  /** `(x − mean) / std`. */
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const mean = this.mean.length === 1 ? tf.scalar(this.mean[0]!) : tf.tensor1d(this.mean);
      const std = this.std.length === 1 ? tf.scalar(this.std[0]!) : tf.tensor1d(this.std);
      return tf.div(tf.sub(x, mean), std);
    });
  }

  /** `mean` and `std` (single numbers stay numbers) plus the base layer config. */
  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      mean: this.mean.length === 1 ? this.mean[0]! : [...this.mean],
      std: this.std.length === 1 ? this.std[0]! : [...this.std],
    };
  }
}

tf.serialization.registerClass(Standardize);

function toList(value: number | number[]): number[] {
  return Array.isArray(value) ? [...value] : [value];
}
