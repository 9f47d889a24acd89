import { checkNonNegative, Rng } from '@bregman/core-prox';
import { STREAM } from './streams.js';
import { checkSeed } from './validation.js';

/** Options of {@link addGaussianNoise}. */
export interface NoiseOptions {
  /** Standard deviation of the noise (the paper's denoising experiment: 0.05 on [0, 1] images). */
  std: number;
  /** The seed: the same seed gives the same noise. */
  seed: number;
}

/**
 * `values + std·N(0, 1)`, entry-wise, as a new array (no clipping: noisy values may leave
 * [0, 1]). For a fixed noisy evaluation set; {@link Batcher} draws fresh noise per epoch.
 */
export function addGaussianNoise(values: Float32Array, options: NoiseOptions): Float32Array {
  const { std, seed } = options;
  checkNonNegative('addGaussianNoise: std', std);
  checkSeed('addGaussianNoise: seed', seed);
  const out = new Float32Array(values.length);
  new Rng(seed, STREAM.fixedNoise).fillNormal(out);
  for (let i = 0; i < out.length; i++) out[i] = values[i]! + std * out[i]!;
  return out;
}
