import { createDataset } from './dataset.js';

/**
 * A dataset named 'toy' of these labels, with images of `[height, width, channels]` whose
 * bytes count up from 0 (mod 256) through the whole set.
 */
export function toyDataset(
  labels: ArrayLike<number>,
  [height, width, channels]: [number, number, number],
  numClasses: number,
) {
  return createDataset({
    name: 'toy',
    images: Uint8Array.from(
      { length: labels.length * height * width * channels },
      (_, i) => i % 256,
    ),
    labels: Uint8Array.from(labels),
    height,
    width,
    channels,
    numClasses,
  });
}
