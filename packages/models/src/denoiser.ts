import { checkInteger } from '@bregman/core-prox';
import type * as tf from '@tensorflow/tfjs-layers';
import type { ActivationName } from './activation.js';
import { type MlpOptions, mlp } from './mlp.js';
import type { ModelInit } from './model-init.js';

/** Options of {@link denoiser}: those of {@link mlp} but the layer sizes. */
export interface DenoiserOptions extends Omit<MlpOptions, 'sizes' | 'outputActivation' | 'init'> {
  /** Width of the input, every hidden layer and the output (default 784 = 28·28). */
  width?: number;
  /** Number of hidden layers (default 5: six Dense layers in all). */
  hiddenLayers?: number;
  /** Activation of the output layer (default `'relu'`: images are ≥ 0). */
  outputActivation?: ActivationName;
  /**
   * Initialization; §4.6 starts from ~1 % living neurons:
   * `{density: 0.01, groups: {dense: 'neuron'}}`.
   */
  init?: ModelInit;
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
  const { width: _w, hiddenLayers: _h, ...rest } = options;
  return mlp({
    ...rest,
    sizes: new Array<number>(hiddenLayers + 2).fill(width),
    activation,
    outputActivation,
  });
}
