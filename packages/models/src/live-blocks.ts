// The kernel blocks that a live step differentiates, gathered from the values read for
// the live-unit analysis, and the scatter of their gradients back to the full shapes.
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
 * convolution).
 */
export function layerBlocks(
  stage: WeightedStage,
  live: LiveLayer,
  kernel: Float32Array,
  bias: Float32Array | null,
  pooled: PooledGradients | null,
): UnitGroup[] {
  const { outputs, gradientOutputs } = live;
  if (live.gradientInputs.length > 0 || gradientOutputs.length === 0) {
    const units = [...outputs, ...gradientOutputs];
    return [unitGroup(stage, live, kernel, bias, units, outputs.length, null)];
  }
  return [
    unitGroup(stage, live, kernel, bias, outputs, outputs.length, null),
    unitGroup(stage, live, kernel, bias, gradientOutputs, 0, pooled),
  ];
}

/** The blocks that compute `units` of a layer, of which the first `varying` are varying. */
function unitGroup(
  stage: WeightedStage,
  live: LiveLayer,
  kernel: Float32Array,
  bias: Float32Array | null,
  units: number[],
  varying: number,
  pooled: PooledGradients | null,
): UnitGroup {
  const inputs = blockValues(stage, kernel, live.inputs, units);
  // the varying inputs' weights into constant units are zero, unless the stage reads some
  // constant inputs as maps (then it cannot probe them either)
  let gradientOnlyZero = stage.probesConstants && varying < units.length;
  for (let i = 0; gradientOnlyZero && i < inputs.length; i++) {
    if (i % units.length >= varying && inputs[i] !== 0) gradientOnlyZero = false;
  }
  const blocks: Block[] = [
    {
      role: gradientOnlyZero ? 'liveProduct' : 'map',
      tensor: blockTensor(stage, inputs, live.inputs, units),
      rows: live.inputs,
    },
  ];
  if (live.gradientInputs.length > 0) {
    const values = blockValues(stage, kernel, live.gradientInputs, units);
    blocks.push({
      role: 'probe',
      tensor: blockTensor(stage, values, live.gradientInputs, units),
      rows: live.gradientInputs,
      probeColumns: nonZeroColumns(values, units.length),
    });
  }
  if (live.constantInputs.length > 0) {
    const values = blockValues(stage, kernel, live.constantInputs, units);
    blocks.push({
      role: 'constant',
      tensor: blockTensor(stage, values, live.constantInputs, units),
      rows: live.constantInputs,
      values: live.constantValues,
    });
  }
  if (stage.bias) {
    const tensor = isAll(units, stage.nOut)
      ? stage.bias
      : tf.tensor1d(Float32Array.from(units, (o) => bias![o]!));
    blocks.push({ role: 'bias', tensor, rows: [] });
  }
  return { units, varying, pooled: gradientOnlyZero ? pooled : null, blocks };
}

/** The values of `kernel[..., rows, cols]`, from the values read for the live-unit analysis. */
function blockValues(
  stage: WeightedStage,
  values: Float32Array,
  rows: number[],
  cols: number[],
): Float32Array {
  if (isAll(rows, stage.nIn) && isAll(cols, stage.nOut)) return values;
  const indices = blockIndices(stage, rows, cols);
  const block = new Float32Array(indices.length);
  // a plain loop: Float32Array.from with a map function is ~20× slower in V8
  for (let i = 0; i < indices.length; i++) block[i] = values[indices[i]!]!;
  return block;
}

/** The block `kernel[..., rows, cols]` of {@link blockValues} as a tensor (the kernel variable itself when it is all of it). */
function blockTensor(
  stage: WeightedStage,
  block: Float32Array,
  rows: number[],
  cols: number[],
): tf.Tensor {
  if (isAll(rows, stage.nIn) && isAll(cols, stage.nOut)) return stage.kernel;
  return tf.tensor(block, [...stage.kernel.shape.slice(0, -2), rows.length, cols.length]);
}

/** The columns of a block (`[..., rows, columns]`, row-major) with a non-zero entry; null when all have. */
function nonZeroColumns(block: Float32Array, columns: number): number[] | null {
  const nonZero = new Uint8Array(columns);
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) nonZero[i % columns] = 1;
  const found = range(columns).filter((c) => nonZero[c]);
  return found.length === columns ? null : found;
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
