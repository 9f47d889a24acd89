import type { ImageDataset } from './dataset.js';
import { imageSize } from './dataset.js';
import { pixelTable, type Standardization } from './standardization.js';

/** Options of {@link toFloat32}. */
export interface ToFloat32Options {
  /** Standardize with these statistics (else the values are byte / 255, in [0, 1]). */
  standardize?: Standardization;
}

/**
 * All images as float32 (HWC, image after image): `byte / 255`, standardized when asked.
 * For whole-set evaluation; training batches are built one at a time by {@link Batcher}.
 */
export function toFloat32(dataset: ImageDataset, options: ToFloat32Options = {}): Float32Array {
  const { channels, images } = dataset;
  const table = pixelTable(channels, options.standardize, `toFloat32(${dataset.name})`);
  const out = new Float32Array(dataset.count * imageSize(dataset));
  if (channels === 1) {
    for (let i = 0; i < images.length; i++) out[i] = table[images[i]!]!;
  } else {
    for (let i = 0; i < images.length; i++) out[i] = table[(i % channels) * 256 + images[i]!]!;
  }
  return out;
}
