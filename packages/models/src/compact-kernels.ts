/**
 * The weighted layer kinds `compact` knows, each seen one way: per input (feature, or input
 * channel) `f` and unit (neuron, or output channel) `o`, the sum of the taps by which `f`
 * reaches `o` and whether any of them is non-zero — and how each kind is written back with
 * fewer inputs and units. Internal: not exported from the package.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { kernelSlices } from './kernel-slices.js';
import { configOf, type Layer } from './layer-chain.js';
import { range } from './range.js';

/**
 * Per layer class that `compact` compacts: the names of its kernel weights, in the order of
 * the layer's weights (the bias, if any, comes after them).
 */
export const KERNEL_NAMES: Readonly<Record<string, readonly string[]>> = {
  Dense: ['kernel'],
  Conv1D: ['kernel'],
  Conv2D: ['kernel'],
  Conv2DTranspose: ['kernel'],
  DepthwiseConv2D: ['depthwise_kernel'],
  SeparableConv2D: ['depthwise_kernel', 'pointwise_kernel'],
};

/** A weighted layer's kernels seen per (input, unit) pair, at `f · nOut + o`. */
export interface KernelView {
  /** Inputs (features, or input channels). */
  nIn: number;
  /** Units (neurons, or output channels). */
  nOut: number;
  /** Per input f and unit o: the sum of the taps by which f reaches o. */
  sliceSum: Float64Array;
  /** Per input f and unit o: whether one of those taps is non-zero. */
  sliceNonZero: Uint8Array;
  /**
   * Whether a constant input map contributes the same constant `c · sliceSum` at every
   * output position (full windows: `'valid'` padding, or a window of one tap); if not, only a
   * constant 0 (or a zero slice) folds.
   */
  foldsAnyConstant: boolean;
  /**
   * A DepthwiseConv2D's depth multiplier `dm`: unit `c·dm + m` reads input channel `c` only
   * and exists only with it, so the units kept are exactly those of the inputs kept. `null`
   * for every other kind (its units do not depend on which inputs stay).
   */
  depthMultiplier: number | null;
  /** The compact copy's config changes and kernels: see {@link ShrunkKernels}. */
  shrink(
    rows: readonly number[],
    keep: readonly number[],
    folded: (f: number) => boolean,
  ): ShrunkKernels;
}

/** A weighted layer's kernels restricted to some inputs and units. */
export interface ShrunkKernels {
  /** Config changes of the copy: its size, and zero initializers (its weights are set after). */
  config: Record<string, unknown>;
  /** Its kernels in weight order, bias excluded; the caller disposes them. */
  kernels: () => tf.Tensor[];
}

/**
 * The {@link KernelView} of a layer of a class in {@link KERNEL_NAMES} (channels-last), from
 * the values of its kernels in that order. `shrink(rows, keep, folded)` then gives the copy
 * with the inputs `rows` and units `keep` (old indices, in the copy's order) whose kernel
 * entries of the inputs where `folded` holds are zero (their constant went into the bias):
 *
 * - Dense / Conv1D / Conv2D: kernel `[...window, nIn, nOut]`;
 * - Conv2DTranspose: kernel `[kh, kw, nOut, nIn]` (the units on the second to last axis); a
 *   constant input never folds unless it is 0: how many taps reach an output position
 *   varies with the position (strides, borders);
 * - DepthwiseConv2D: kernel `[kh, kw, nIn, dm]`, unit `c·dm + m` reached from input `c` only;
 *   `keep` must be the units of `rows`;
 * - SeparableConv2D: depthwise kernel `[kh, kw, nIn, dm]` then pointwise kernel
 *   `[1, 1, nIn·dm, nOut]`: input `c` reaches unit `o` through `Σ_m D[·, c, m] · P[c·dm + m, o]`;
 *   an input that stays keeps its `dm` depthwise channels.
 */
export function kernelView(layer: Layer, kernels: Float32Array[]): KernelView {
  const kind = layer.getClassName();
  const config = configOf(layer);
  const shapes = KERNEL_NAMES[kind]!.map((name) => kernelShape(layer, name));
  const shape = shapes[0]!;
  const window = shape.slice(0, -2);
  const spatial = window.reduce((a, d) => a * d, 1);
  const fullWindows = config.padding === 'valid' || spatial === 1;
  const kernel = kernels[0]!;
  const [a, b] = shape.slice(-2) as [number, number];
  if (kind === 'Conv2DTranspose') return transposeView(kernel, window, a, b);
  if (kind === 'DepthwiseConv2D') return depthwiseView(kernel, window, a, b, fullWindows);
  if (kind === 'SeparableConv2D') {
    return separableView(kernel, kernels[1]!, window, a, b, shapes[1]!.at(-1)!, fullWindows);
  }
  const { sums, nonZero } = kernelSlices(kernel, spatial, a, b);
  return {
    nIn: a,
    nOut: b,
    sliceSum: sums,
    sliceNonZero: nonZero,
    foldsAnyConstant: kind === 'Dense' || fullWindows,
    depthMultiplier: null,
    shrink: (rows, keep, folded) => ({
      config: { [kind === 'Dense' ? 'units' : 'filters']: keep.length, kernelInitializer: 'zeros' },
      kernels: () => [
        tf.tensor(gather(kernel, spatial, a, b, rows, keep, folded), [
          ...window,
          rows.length,
          keep.length,
        ]),
      ],
    }),
  };
}

/** Conv2DTranspose: kernel `[kh, kw, nOut, nIn]`. */
function transposeView(
  kernel: Float32Array,
  window: number[],
  nOut: number,
  nIn: number,
): KernelView {
  const spatial = window.reduce((a, d) => a * d, 1);
  const { sums, nonZero } = kernelSlices(kernel, spatial, nOut, nIn);
  const sliceSum = new Float64Array(nIn * nOut);
  const sliceNonZero = new Uint8Array(nIn * nOut);
  for (let o = 0; o < nOut; o++) {
    for (let f = 0; f < nIn; f++) {
      sliceSum[f * nOut + o] = sums[o * nIn + f]!;
      sliceNonZero[f * nOut + o] = nonZero[o * nIn + f]!;
    }
  }
  return {
    nIn,
    nOut,
    sliceSum,
    sliceNonZero,
    foldsAnyConstant: false,
    depthMultiplier: null,
    shrink: (rows, keep, folded) => ({
      config: { filters: keep.length, kernelInitializer: 'zeros' },
      kernels: () => [
        tf.tensor(
          gather(kernel, spatial, nOut, nIn, keep, rows, (_o, f) => folded(f)),
          [...window, keep.length, rows.length],
        ),
      ],
    }),
  };
}

/** DepthwiseConv2D: kernel `[kh, kw, nIn, dm]`; unit `c·dm + m` reads input `c` only. */
function depthwiseView(
  kernel: Float32Array,
  window: number[],
  nIn: number,
  dm: number,
  fullWindows: boolean,
): KernelView {
  const spatial = window.reduce((a, d) => a * d, 1);
  const nOut = nIn * dm;
  // per unit o = c·dm + m: its one slice
  const { sums, nonZero } = kernelSlices(kernel, spatial, nIn, dm);
  const sliceSum = new Float64Array(nIn * nOut);
  const sliceNonZero = new Uint8Array(nIn * nOut);
  for (let o = 0; o < nOut; o++) {
    const c = Math.floor(o / dm);
    sliceSum[c * nOut + o] = sums[o]!;
    sliceNonZero[c * nOut + o] = nonZero[o]!;
  }
  return {
    nIn,
    nOut,
    sliceSum,
    sliceNonZero,
    foldsAnyConstant: fullWindows,
    depthMultiplier: dm,
    shrink: (rows, keep, folded) => {
      const units = depthwiseUnits(rows, dm);
      if (String(units) !== String(keep)) {
        throw new Error(`compact: depthwise units [${keep}] are not those of the inputs [${rows}]`);
      }
      return {
        config: { depthMultiplier: dm, depthwiseInitializer: 'zeros' },
        kernels: () => [
          tf.tensor(
            gather(kernel, spatial, nIn, dm, rows, range(dm), (c) => folded(c)),
            [...window, rows.length, dm],
          ),
        ],
      };
    },
  };
}

/**
 * SeparableConv2D: depthwise kernel `[kh, kw, nIn, dm]`, pointwise `[1, 1, nIn·dm, nOut]`
 * (the depthwise convolution has no bias: a constant input `c` gives the depthwise channel
 * `c·dm + m` the constant `c · Σ_taps D[·, c, m]` where the windows are full).
 */
function separableView(
  depthwise: Float32Array,
  pointwise: Float32Array,
  window: number[],
  nIn: number,
  dm: number,
  nOut: number,
  fullWindows: boolean,
): KernelView {
  const spatial = window.reduce((a, d) => a * d, 1);
  const { sums, nonZero } = kernelSlices(depthwise, spatial, nIn, dm);
  const sliceSum = new Float64Array(nIn * nOut);
  const sliceNonZero = new Uint8Array(nIn * nOut);
  for (let c = 0; c < nIn; c++) {
    for (let m = 0; m < dm; m++) {
      const d = c * dm + m;
      if (!nonZero[d]) continue;
      for (let o = 0; o < nOut; o++) {
        const p = pointwise[d * nOut + o]!;
        if (p === 0) continue;
        sliceSum[c * nOut + o]! += sums[d]! * p;
        sliceNonZero[c * nOut + o] = 1;
      }
    }
  }
  return {
    nIn,
    nOut,
    sliceSum,
    sliceNonZero,
    foldsAnyConstant: fullWindows,
    depthMultiplier: null,
    shrink: (rows, keep, folded) => {
      const channels = depthwiseUnits(rows, dm);
      return {
        config: {
          filters: keep.length,
          // tfjs's SeparableConv2D.getConfig() leaves it out (a copy would get 1)
          depthMultiplier: dm,
          depthwiseInitializer: 'zeros',
          pointwiseInitializer: 'zeros',
        },
        kernels: () => [
          tf.tensor(
            gather(depthwise, spatial, nIn, dm, rows, range(dm), (c) => folded(c)),
            [...window, rows.length, dm],
          ),
          tf.tensor(
            gather(pointwise, 1, nIn * dm, nOut, channels, keep, () => false),
            [1, 1, channels.length, keep.length],
          ),
        ],
      };
    },
  };
}

/** The depthwise channels (or units) `c·dm + m` of the input channels `inputs`, in order. */
export function depthwiseUnits(inputs: readonly number[], dm: number): number[] {
  return inputs.flatMap((c) => range(dm).map((m) => c * dm + m));
}

/** The shape of a layer's weight `<layer>/<name>`. */
function kernelShape(layer: Layer, name: string): number[] {
  const v = layer.weights.find((w) => w.originalName.split('/').at(-1) === name);
  if (!v) throw new Error(`compact: layer '${layer.name}' has no weight '${name}'`);
  return v.shape as number[];
}

/**
 * The entries `[s, rows[i], cols[j]]` of values viewed as `[spatial, nRows, nCols]`, as a new
 * `[spatial, rows.length, cols.length]` array; 0 where `zero(row, col)` holds.
 */
function gather(
  values: Float32Array,
  spatial: number,
  nRows: number,
  nCols: number,
  rows: readonly number[],
  cols: readonly number[],
  zero: (row: number, col: number) => boolean,
): Float32Array {
  const out = new Float32Array(spatial * rows.length * cols.length);
  let j = 0;
  for (let s = 0; s < spatial; s++) {
    const base = s * nRows * nCols;
    for (const r of rows) {
      for (const c of cols) out[j++] = zero(r, c) ? 0 : values[base + r * nCols + c]!;
    }
  }
  return out;
}
