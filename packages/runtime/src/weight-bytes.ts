import type * as tf from '@tensorflow/tfjs-core';

const BYTES_PER_ELEMENT: Readonly<Record<string, number>> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/** Bytes one weight of a manifest takes in a weights file, or undefined for strings. */
export function weightBytes(spec: tf.io.WeightsManifestEntry): number | undefined {
  const perElement = BYTES_PER_ELEMENT[spec.quantization?.dtype ?? spec.dtype];
  return perElement === undefined ? undefined : spec.shape.reduce((a, b) => a * b, 1) * perElement;
}

/** The byte arrays one after the other (the array itself when there is one). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
