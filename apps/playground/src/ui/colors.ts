/** An RGB colour, channels 0–255. */
export type Rgb = readonly [number, number, number];

/** The colour of a zero weight: light grey, so that zeros are visibly not drawn weights. */
export const ZERO_COLOR: Rgb = [236, 236, 236];

/** The colour of the largest positive weights (red). */
const POSITIVE: Rgb = [200, 30, 30];

/** The colour of the largest negative weights (blue). */
const NEGATIVE: Rgb = [25, 70, 200];

/** The lightest tint a non-zero weight gets: even a tiny weight is clearly not zero. */
const MIN_STRENGTH = 0.3;

/**
 * The colour of weight `value` when `scale` is the magnitude drawn at full colour: grey for
 * exactly 0, red for positive and blue for negative, from a light tint (small magnitudes) to
 * full colour (≥ `scale`). NaN is drawn black.
 */
export function weightColor(value: number, scale: number): Rgb {
  if (value === 0) return ZERO_COLOR;
  if (Number.isNaN(value)) return [0, 0, 0];
  const target = value > 0 ? POSITIVE : NEGATIVE;
  const t = MIN_STRENGTH + (1 - MIN_STRENGTH) * Math.min(1, Math.abs(value) / scale);
  const mix = (i: 0 | 1 | 2) => Math.round(255 + (target[i] - 255) * t);
  return [mix(0), mix(1), mix(2)];
}

/**
 * The magnitude to draw at full colour for `values`: the 99th percentile of the non-zero
 * magnitudes (one outlier does not wash the rest out); 1 when all are zero.
 */
export function colorScale(values: ArrayLike<number>): number {
  const magnitudes: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const m = Math.abs(values[i]!);
    if (m > 0 && Number.isFinite(m)) magnitudes.push(m);
  }
  if (magnitudes.length === 0) return 1;
  magnitudes.sort((a, b) => a - b);
  return magnitudes[Math.min(magnitudes.length - 1, Math.floor(0.99 * magnitudes.length))]!;
}
