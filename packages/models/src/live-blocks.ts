// The kernel blocks that a live step differentiates, gathered on the backend, and the
// scatter of their gradients back to the full shapes.
import * as tf from '@tensorflow/tfjs-core';
import type { PooledGradients } from './live-ops.js';
import type { LiveLayer, WeightedStage } from './live-units.js';
import { range } from './range.js';

/** A tensor the live computation differentiates: a block of a kernel, or of a bias. */
export interface Block {
  /**
   * From the varying inputs: `'map'` (a plain product) or `'liveProduct'` (the weights into
   * the gradient-only units are all zero: see `liveProduct` in live-ops); `'probe'`: from the
   * gradient-only inputs; `'constant'`: from the constant ones (`values`); `'bias'`.
   */
  role: 'map' | 'liveProduct' | 'probe' | 'constant' | 'bias';
  tensor: tf.Tensor;
  /** Input features (kernel rows) of the block. */
  rows: number[];
  values?: number[];
  /** For a probe: its non-zero columns (indices into the group's units), null when all are. */
  probeColumns?: number[] | null;
}

/** The output units of a layer that a step computes, and the blocks that compute them. */
export interface UnitGroup {
  /** The varying units, then the gradient-only ones. */
  units: number[];
  /** How many of `units` are varying (the first ones). */
  varying: number;
  /** Gradient-only units computed at the resolution of the max pooling after them, or null. */
  pooled: PooledGradients | null;
  blocks: Block[];
}

/** Whether `list` is `0, 1, …, n − 1`. */
function isAll(list: number[], n: number): boolean {
  return list.length === n && list.every((v, i) => v === i);
}

/**
 * The groups of a layer's computed units and their blocks. A layer with gradient-only inputs
 * computes its varying and gradient-only units together (one product and one gradient-map
 * probe for both, the output then split in two); else the two kinds are computed apart,
 * which spares splitting the output (a last-axis copy, costly on the large maps of a first
 * convolution). `probed`: per output unit, whether a gradient-only input has a non-zero
 * weight into it (`LiveAnalysis.probed`).
 */
export function layerBlocks(
  stage: WeightedStage,
  live: LiveLayer,
  probed: Uint8Array,
  pooled: PooledGradients | null,
): UnitGroup[] {
  const { outputs, gradientOutputs } = live;
  if (live.gradientInputs.length > 0 || gradientOutputs.length === 0) {
    const units = [...outputs, ...gradientOutputs];
    return [unitGroup(stage, live, probed, units, outputs.length, null)];
  }
  return [
    unitGroup(stage, live, probed, outputs, outputs.length, null),
    unitGroup(stage, live, probed, gradientOutputs, 0, pooled),
  ];
}

/** The blocks that compute `units` of a layer, of which the first `varying` are varying. */
function unitGroup(
  stage: WeightedStage,
  live: LiveLayer,
  probed: Uint8Array,
  units: number[],
  varying: number,
  pooled: PooledGradients | null,
): UnitGroup {
  // the varying inputs' weights into constant units are zero (that is what makes them
  // constant), unless the stage reads some constant inputs as maps (then it cannot probe)
  const gradientOnlyZero = stage.probesConstants && varying < units.length;
  const blocks: Block[] = [
    {
      role: gradientOnlyZero ? 'liveProduct' : 'map',
      tensor: kernelBlock(stage.kernel, live.inputs, units),
      rows: live.inputs,
    },
  ];
  if (live.gradientInputs.length > 0) {
    const columns = range(units.length).filter((i) => probed[units[i]!]);
    blocks.push({
      role: 'probe',
      tensor: kernelBlock(stage.kernel, live.gradientInputs, units),
      rows: live.gradientInputs,
      probeColumns: columns.length === units.length ? null : columns,
    });
  }
  if (live.constantInputs.length > 0) {
    blocks.push({
      role: 'constant',
      tensor: kernelBlock(stage.kernel, live.constantInputs, units),
      rows: live.constantInputs,
      values: live.constantValues,
    });
  }
  if (stage.bias) {
    const tensor = isAll(units, stage.nOut) ? stage.bias : tf.gather(stage.bias, units);
    blocks.push({ role: 'bias', tensor, rows: [] });
  }
  return { units, varying, pooled: gradientOnlyZero ? pooled : null, blocks };
}

/**
 * The block `kernel[..., rows, cols]` of a kernel `[..., nIn, nOut]`, gathered on the backend
 * along the axis that leaves less to gather next (the kernel itself when it is all of it).
 */
export function kernelBlock(kernel: tf.Tensor, rows: number[], cols: number[]): tf.Tensor {
  const rank = kernel.rank;
  const nIn = kernel.shape[rank - 2]!;
  const nOut = kernel.shape[rank - 1]!;
  const allRows = isAll(rows, nIn);
  const allCols = isAll(cols, nOut);
  if (allRows && allCols) return kernel;
  return tf.tidy(() => {
    const byRows = (t: tf.Tensor) => (allRows ? t : tf.gather(t, rows, rank - 2));
    const byCols = (t: tf.Tensor) => (allCols ? t : tf.gather(t, cols, rank - 1));
    return rows.length * nOut <= nIn * cols.length
      ? byCols(byRows(kernel))
      : byRows(byCols(kernel));
  });
}

/**
 * The flat indices into a stage's kernel of the block `[..., rows, cols]`, in the block's
 * own row-major order (taps, then rows, then columns).
 */
export function blockIndices(stage: WeightedStage, rows: number[], cols: number[]): Int32Array {
  const { nIn, nOut, spatial } = stage;
  const indices = new Int32Array(spatial * rows.length * cols.length);
  let j = 0;
  for (let s = 0; s < spatial; s++) {
    for (const r of rows) {
      const base = s * nIn * nOut + r * nOut;
      for (const c of cols) indices[j++] = base + c;
    }
  }
  return indices;
}

/** The full-shape gradient of a kernel from the gradients of its blocks (zeros elsewhere). */
export function scatterKernel(
  stage: WeightedStage,
  parts: Array<{ grad: tf.Tensor; rows: number[]; cols: number[] }>,
): tf.Tensor {
  const { nIn, nOut, spatial } = stage;
  const shape = stage.kernel.shape;
  const only = parts[0]!;
  if (parts.length === 1 && isAll(only.rows, nIn) && isAll(only.cols, nOut)) {
    return tf.reshape(only.grad, shape);
  }
  const blocks = parts.map((p) => blockIndices(stage, p.rows, p.cols));
  const size = blocks.reduce((a, b) => a + b.length, 0);
  const indices = new Int32Array(size);
  let offset = 0;
  for (const b of blocks) {
    indices.set(b, offset);
    offset += b.length;
  }
  return tf.tidy(() => {
    const updates = tf.concat(parts.map((p) => tf.reshape(p.grad, [-1])));
    const flat = tf.scatterND(tf.tensor2d(indices, [size, 1], 'int32'), updates, [
      spatial * nIn * nOut,
    ]);
    return tf.reshape(flat, shape);
  });
}

/** A length-`n` vector with each part's `grad` at its `cols` and zeros elsewhere. */
export function scatterVector(
  parts: Array<{ grad: tf.Tensor; cols: number[] }>,
  n: number,
): tf.Tensor {
  const only = parts[0]!;
  if (parts.length === 1 && isAll(only.cols, n)) return tf.clone(only.grad);
  const cols = parts.flatMap((p) => p.cols);
  return tf.tidy(() =>
    tf.scatterND(
      tf.tensor2d(Int32Array.from(cols), [cols.length, 1], 'int32'),
      tf.concat(parts.map((p) => p.grad)),
      [n],
    ),
  );
}
