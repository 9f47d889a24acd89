import { checkInteger } from '@bregman/core-prox';
import * as tf from '@tensorflow/tfjs-layers';
import { type ActivationName, isReluLike } from './activation.js';
import { layerInitializers, type ModelInit } from './model-init.js';
import { Standardize } from './standardize.js';
import { checkShape } from './validation.js';

/** Options of {@link mlp}. */
export interface MlpOptions {
  /** Layer widths `[nIn, hidden…, nOut]` (at least two), e.g. `[784, 200, 80, 10]`. */
  sizes: number[];
  /** Activation of the hidden layers (default `'relu'`). */
  activation?: ActivationName;
  /** Activation of the output layer (default `'linear'`: logits for a cross-entropy). */
  outputActivation?: ActivationName;
  /**
   * Input shape without the batch axis (default `[sizes[0]]`). A shape whose size is
   * `sizes[0]`, e.g. `[28, 28, 1]`, adds a `Flatten` after the standardization.
   */
  inputShape?: number[];
  /** Input mean (a number, or one per channel of the last input axis). Default 0. */
  mean?: number | number[];
  /** Input standard deviation (> 0; a number or one per channel). Default 1. */
  std?: number | number[];
  /** Kernel and bias initialization (default: dense, He or Glorot, positive uniform biases). */
  init?: ModelInit;
  /** Model name. */
  name?: string;
}

/**
 * A fully connected net: `Standardize → Dense(sizes[1]) → … → Dense(sizes.at(-1))`, hidden
 * layers with `activation`, a linear output layer (logits). `mlp({sizes: [784, 200, 80,
 * 10]})` is the MNIST net of the paper's Figs. 2–3 (173,890 parameters). Layers are named
 * `standardize`, `dense_1`, `dense_2`, ….
 */
export function mlp(options: MlpOptions): tf.Sequential {
  const {
    sizes,
    activation = 'relu',
    outputActivation = 'linear',
    mean = 0,
    std = 1,
    init = {},
    name,
  } = options ?? ({} as MlpOptions);
  if (!Array.isArray(sizes) || sizes.length < 2) {
    throw new RangeError(
      `mlp: sizes must list at least the input and output widths, e.g. [784, 200, 80, 10], got ${JSON.stringify(sizes)}`,
    );
  }
  for (const [i, n] of sizes.entries()) checkInteger(`mlp: sizes[${i}]`, n, 1);
  const inputShape = options.inputShape ?? [sizes[0]!];
  checkShape('mlp: inputShape', inputShape);
  const inputSize = inputShape.reduce((a, b) => a * b, 1);
  if (inputSize !== sizes[0]) {
    throw new RangeError(
      `mlp: inputShape [${inputShape.join(', ')}] has ${inputSize} entries but sizes[0] is ${sizes[0]}`,
    );
  }
  const relu = isReluLike(activation);
  const model = tf.sequential(name === undefined ? {} : { name });
  model.add(new Standardize({ inputShape, mean, std, name: 'standardize' }));
  if (inputShape.length > 1) model.add(tf.layers.flatten({ name: 'flatten' }));
  for (let i = 1; i < sizes.length; i++) {
    const last = i === sizes.length - 1;
    model.add(
      tf.layers.dense({
        units: sizes[i]!,
        activation: last ? outputActivation : activation,
        name: `dense_${i}`,
        ...layerInitializers(init, i - 1, 'dense', sizes[i - 1]!, relu),
      }),
    );
  }
  return model;
}
