/** Per (input, output) pair of a kernel: the sum of its taps and whether any tap is non-zero. */
export interface KernelSlices {
  /** `Σ_taps W[tap, i, o]` at `i · nOut + o`. */
  sums: Float64Array;
  /** 1 where some tap of `W[·, i, o]` is non-zero, at `i · nOut + o`. */
  nonZero: Uint8Array;
}

/**
 * The {@link KernelSlices} of a kernel's values viewed as `[spatial, nIn, nOut]` (row-major, as tfjs stores `[kh, kw, nIn, nOut]`): what the
 * constant analyses of `compact` and of the sparse-aware step read from a kernel.
 */
export function kernelSlices(
  kernel: Float32Array,
  spatial: number,
  nIn: number,
  nOut: number,
): KernelSlices {
  const sums = new Float64Array(nIn * nOut);
  const nonZero = new Uint8Array(nIn * nOut);
  for (let s = 0; s < spatial; s++) {
    const base = s * nIn * nOut;
    for (let i = 0; i < nIn * nOut; i++) {
      const v = kernel[base + i]!;
      sums[i]! += v;
      if (v !== 0) nonZero[i] = 1;
    }
  }
  return { sums, nonZero };
}
