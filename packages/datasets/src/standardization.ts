import type { ImageDataset } from './dataset.js';

/**
 * Per-channel mean and standard deviation of pixel values scaled to [0, 1] (byte / 255).
 * Inputs are standardized as `(byte / 255 − mean[c]) / std[c]`. A single entry applies to
 * every channel.
 */
export interface Standardization {
  /** Mean per channel (or one for all), in [0, 1] units. */
  mean: number[];
  /** Standard deviation per channel (or one for all), in [0, 1] units, > 0. */
  std: number[];
}

/** Options of {@link computeStandardization}. */
export interface StandardizationOptions {
  /** One mean / std per channel (default) or one over all channels. */
  perChannel?: boolean;
}

/**
 * The mean and (population) standard deviation of a dataset's pixels in [0, 1] units,
 * per channel or over all: compute them on the training set and standardize every set
 * with them (paper §4: inputs standardized by the training set's statistics). Exact: the
 * sums run in float64 over a 256-bin histogram.
 */
export function computeStandardization(
  dataset: ImageDataset,
  options: StandardizationOptions = {},
): Standardization {
  const { perChannel = true } = options;
  const channels = dataset.channels;
  const histogram = new Float64Array(256 * channels);
  const { images } = dataset;
  if (channels === 1) {
    for (let i = 0; i < images.length; i++) histogram[images[i]!]!++;
  } else {
    for (let i = 0; i < images.length; i++) histogram[(i % channels) * 256 + images[i]!]!++;
  }
  const groups = perChannel ? channels : 1;
  const mean: number[] = [];
  const std: number[] = [];
  for (let g = 0; g < groups; g++) {
    const from = perChannel ? g : 0;
    const to = perChannel ? g + 1 : channels;
    let n = 0;
    let sum = 0;
    for (let c = from; c < to; c++) {
      for (let v = 0; v < 256; v++) {
        n += histogram[c * 256 + v]!;
        sum += histogram[c * 256 + v]! * (v / 255);
      }
    }
    const m = n > 0 ? sum / n : 0;
    let squares = 0;
    for (let c = from; c < to; c++) {
      for (let v = 0; v < 256; v++) squares += histogram[c * 256 + v]! * (v / 255 - m) ** 2;
    }
    mean.push(m);
    std.push(n > 0 ? Math.sqrt(squares / n) : 0);
  }
  return { mean, std };
}

/**
 * A lookup table `channels × 256`: entry `c·256 + b` is byte `b` of channel `c` as a
 * float, `b / 255`, standardized when `standardization` is given. `name` is for errors.
 */
export function pixelTable(
  channels: number,
  standardization: Standardization | undefined,
  name: string,
): Float32Array {
  const table = new Float32Array(channels * 256);
  const { mean, std } = checkStandardization(channels, standardization, name);
  for (let c = 0; c < channels; c++) {
    for (let b = 0; b < 256; b++) table[c * 256 + b] = (b / 255 - mean[c]!) / std[c]!;
  }
  return table;
}

/** Expands and checks a standardization for `channels` channels; the identity if none. */
export function checkStandardization(
  channels: number,
  standardization: Standardization | undefined,
  name: string,
): Standardization {
  if (standardization === undefined) {
    return { mean: new Array(channels).fill(0), std: new Array(channels).fill(1) };
  }
  const expand = (key: 'mean' | 'std') => {
    const values = standardization[key];
    if (!Array.isArray(values) || (values.length !== 1 && values.length !== channels)) {
      throw new RangeError(
        `${name}: standardize.${key} must be an array of 1 or ${channels} (channels) numbers, got ${JSON.stringify(values)}`,
      );
    }
    return values.length === 1 ? new Array<number>(channels).fill(values[0]!) : [...values];
  };
  const mean = expand('mean');
  const std = expand('std');
  for (const m of mean) {
    if (!Number.isFinite(m)) {
      throw new RangeError(`${name}: standardize.mean must be finite, got ${JSON.stringify(mean)}`);
    }
  }
  for (const s of std) {
    if (!Number.isFinite(s) || s <= 0) {
      throw new RangeError(
        `${name}: standardize.std must be finite and > 0, got ${JSON.stringify(std)}`,
      );
    }
  }
  return { mean, std };
}
