/** Mean and (population) variance of `values`, optionally only over the non-zero entries. */
export function moments(values: ArrayLike<number>, nonZeroOnly = false) {
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (nonZeroOnly && v === 0) continue;
    n++;
    sum += v;
    sumSq += v * v;
  }
  const mean = sum / n;
  return { n, mean, variance: sumSq / n - mean * mean, secondMoment: sumSq / n };
}

/** Fraction of non-zero entries. */
export function densityOf(values: ArrayLike<number>): number {
  let nz = 0;
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) nz++;
  return nz / values.length;
}

/** 3σ of the mean of `n` Bernoulli(r) draws. */
export function threeSigma(r: number, n: number): number {
  return 3 * Math.sqrt((r * (1 - r)) / n);
}
