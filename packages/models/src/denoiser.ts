import type * as tf from '@tensorflow/tfjs-layers';
import type { ActivationName } from './activation.js';
import { mlp } from './mlp.js';
import type { ModelInit } from './model-init.js';
import { checkInteger } from './validation.js';

/** Options of {@link denoiser}. */
export interface DenoiserOptions {
  /** Width of the input, every hidden layer and the output (default 784 = 28·28). */
  width?: number;
  /** Number of hidden layers (default 5: six Dense layers in all). */
  hiddenLayers?: number;
  /** Activation of the hidden layers (default `'relu'`). */
  activation?: ActivationName;
  /** Activation of the output layer (default `'relu'`: images are ≥ 0). */
  outputActivation?: ActivationName;
  /** Input shape (default `[width]`); e.g. `[28, 28, 1]` adds a `Flatten`. */
  inputShape?: number[];
  /** Input mean (default 0). */
  mean?: number | number[];
  /** Input standard deviation (default 1). */
  std?: number | number[];
  /**
   * Initialization; §4.6 starts from ~1 % living neurons:
   * `{density: 0.01, groups: {dense: 'neuron'}}`.
   */
  init?: ModelInit;
  /** Model name. */
  name?: string;
}

/**
 * The denoising net of the paper's §4.6 (Figs. 4–5): `hiddenLayers + 1` Dense layers
 * `width → width` with ReLU, trained with neuron (row) sparsity so that it unveils an
 * autoencoder shape. Output: the denoised image, flattened (`[batch, width]`).
 */
export function denoiser(options: DenoiserOptions = {}): tf.Sequential {
  const { width = 784, hiddenLayers = 5, activation = 'relu', outputActivation = 'relu' } = options;
  checkInteger('denoiser: width', width, 1);
  checkInteger('denoiser: hiddenLayers', hiddenLayers, 0);
  return mlp({
    sizes: new Array<number>(hiddenLayers + 2).fill(width),
    activation,
    outputActivation,
    ...(options.inputShape ? { inputShape: options.inputShape } : {}),
    mean: options.mean ?? 0,
    std: options.std ?? 1,
    init: options.init ?? {},
    ...(options.name === undefined ? {} : { name: options.name }),
  });
}
