import type { MeanStd } from '../experiments/aggregate.js';

/** `mean ± std` of shares as percentages (`92.1 ± 0.3`), or `–`. */
export function percentMeanStd(value: MeanStd, digits = 1): string {
  if (value.n === 0) return '–';
  const mean = (100 * value.mean).toFixed(digits);
  return value.n > 1 ? `${mean} ± ${(100 * value.std).toFixed(digits)}` : mean;
}

/** `mean ± std` of plain numbers, or `–`. */
export function numberMeanStd(value: MeanStd, digits = 1): string {
  if (value.n === 0) return '–';
  return value.n > 1
    ? `${value.mean.toFixed(digits)} ± ${value.std.toFixed(digits)}`
    : value.mean.toFixed(digits);
}
