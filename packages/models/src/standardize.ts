import { checkPositive } from '@bregman/core-prox';
import * as tf from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { standardize } from './standardize-op.js';
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
  /** `mean` and `std` as tensors, once made (see `statistics`). */
  private statisticTensors: { mean: tf.Tensor; std: tf.Tensor } | undefined;

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

  /** `(x − mean) / std` (see {@link standardize}: one kernel on wasm with `@bregman/runtime`). */
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const { mean, std } = this.statistics();
      return standardize(x, mean, std);
    });
  }

  /** Disposes the statistics' tensors too once the layer is disposed. */
  override dispose(): ReturnType<layers.Layer['dispose']> {
    const result = super.dispose();
    if (result.refCountAfterDispose === 0) this.releaseStatistics();
    return result;
  }

  /** The mean and std as tensors, made once (again if something disposed them) and kept. */
  private statistics(): { mean: tf.Tensor; std: tf.Tensor } {
    const made = this.statisticTensors;
    if (made && !made.mean.isDisposed && !made.std.isDisposed) return made;
    this.releaseStatistics();
    const tensor = (values: number[]) => tf.keep(tf.tensor1d(values, 'float32'));
    this.statisticTensors = { mean: tensor(this.mean), std: tensor(this.std) };
    return this.statisticTensors;
  }

  private releaseStatistics(): void {
    if (this.statisticTensors) tf.dispose([this.statisticTensors.mean, this.statisticTensors.std]);
    this.statisticTensors = undefined;
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
