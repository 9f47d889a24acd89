import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { configOf, inputShapeOf } from './layer-chain.js';
import {
  type LiveLayer,
  liveUnits,
  type PassStage,
  type StagePlan,
  stagePlan,
  type WeightedStage,
} from './live-units.js';
import { range } from './range.js';

/**
 * The live step's work per kernel entry and step outside the products — reading the kernels
 * and finding the live units in JavaScript, gathering the blocks, scattering the gradients —
 * in multiply–adds of the products: measured ~25 ns per entry on wasm (2-core AMD EPYC),
 * where a product's multiply–add costs ~0.1 ns.
 */
export const ANALYSIS_COST_PER_WEIGHT = 256;

/** A layer with no unit computed: the live step's cost without its products. */
const NOTHING_LIVE: LiveLayer = {
  inputs: [],
  gradientInputs: [],
  constantInputs: [],
  constantValues: [],
  outputs: [],
  gradientOutputs: [],
};

/** When {@link SparseAwareStep} computes on the live units. */
export type SparseAwareMode = 'auto' | 'sparse' | 'dense';

/** Options of {@link SparseAwareStep}. */
export interface SparseAwareStepOptions {
  /**
   * `'auto'` (default): the live-unit computation when its estimated cost is at most
   * `maxCostRatio` of the dense step's, else the dense step; `'sparse'` / `'dense'`: always
   * that one (for comparisons and tests).
   */
  mode?: SparseAwareMode;
  /** In `'auto'` mode, the largest live/dense cost ratio that takes the live path (default 0.6). */
  maxCostRatio?: number;
}

/** The result of {@link SparseAwareStep.gradients}. */
export interface SparseAwareGradients {
  /** The loss. */
  value: tf.Scalar;
  /** The model's output for the batch (training mode). */
  output: tf.Tensor;
  /** `d loss / d variable` for every trainable variable, by variable name (`tf.variableGrads`). */
  grads: tf.NamedTensorMap;
  /** Whether the live-unit computation ran (false: the dense one). */
  sparse: boolean;
  /**
   * Estimated cost of the live-unit computation over the dense one's, for this batch (see
   * {@link SparseAwareStep.costRatio}). When the per-step analysis alone costs more than
   * `maxCostRatio` (`'auto'` mode: a small model, or a small batch), the weights are not read
   * and this is that lower bound.
   */
  costRatio: number;
}

/**
 * A training step that computes only what the live network needs — the moonshot of the
 * paper's §5: Bregman training keeps the network sparse *during* training, so with group
 * sparsity most neurons and channels are exactly zero for most of the run.
 *
 * Each step reads the kernels and biases, finds the units that must be computed
 * ({@link liveUnits}: varying units, and constant ones whose gradient map can be non-zero),
 * and runs forward and backward on the gathered sub-network, with the constant units'
 * contributions as bias-like terms. The loss, the output and the gradient of **every**
 * weight are those of the dense step (up to float32 summation order): the zero weights of a
 * Bregman optimizer's subgradient variable keep moving, so units are still born. The
 * gradients are scattered back to the full shapes, so any `tf.Optimizer` applies them.
 *
 * For chains of Dense / Conv2D layers with pooling and Flatten between them (the paper's
 * MLP and ConvNet; {@link stagePlan}); the model's activations must be in its layers.
 *
 * @example
 * ```ts
 * const step = new SparseAwareStep(model);
 * const { value, output, sparse } = await step.minimize(optimizer, x, (out) =>
 *   tf.losses.softmaxCrossEntropy(y, out) as tf.Scalar,
 * );
 * ```
 */
export class SparseAwareStep {
  private readonly plan: StagePlan;
  private readonly weighted: WeightedStage[];
  private readonly mode: SparseAwareMode;
  private readonly maxCostRatio: number;

  constructor(
    private readonly model: LayersModel,
    options: SparseAwareStepOptions = {},
  ) {
    this.plan = stagePlan(model, 'SparseAwareStep');
    this.weighted = this.plan.stages.filter((s): s is WeightedStage => s.kind === 'weighted');
    const { mode = 'auto', maxCostRatio = 0.6 } = options;
    if (mode !== 'auto' && mode !== 'sparse' && mode !== 'dense') {
      throw new RangeError(
        `SparseAwareStep: mode must be 'auto', 'sparse' or 'dense', got ${String(mode)}`,
      );
    }
    if (!(maxCostRatio > 0 && maxCostRatio <= 1)) {
      throw new RangeError(
        `SparseAwareStep: maxCostRatio must be in (0, 1], got ${String(maxCostRatio)}`,
      );
    }
    this.mode = mode;
    this.maxCostRatio = maxCostRatio;
  }

  /** The units the next step would compute, per Dense / Conv2D layer. */
  async liveUnits(): Promise<LiveLayer[]> {
    return (await this.readWeights()).live;
  }

  /** The kernels' and biases' values, and the live units they give. */
  private async readWeights() {
    const kernels = await Promise.all(
      this.weighted.map((s) => s.kernel.data() as Promise<Float32Array>),
    );
    const biases = await Promise.all(
      this.weighted.map((s) => (s.bias ? (s.bias.data() as Promise<Float32Array>) : null)),
    );
    return { kernels, biases, live: liveUnits(this.plan, kernels, biases) };
  }

  /**
   * Estimated cost of computing `live` over the dense computation's, in multiply–adds of the
   * Dense and Conv2D layers: varying units cost a forward product, an input and a weight
   * gradient per varying input, gradient-only units a weight gradient, and gradient-only
   * inputs a gradient map. With `batchSize`, the live step's fixed work per step is added:
   * reading and sorting every kernel entry in JavaScript, counted as
   * {@link ANALYSIS_COST_PER_WEIGHT} multiply–adds each (so a small MLP, whose whole step is a
   * few milliseconds, keeps the dense step).
   */
  costRatio(live: LiveLayer[], batchSize?: number): number {
    let dense = 0;
    let sparse = 0;
    let weights = 0;
    for (const [k, s] of this.weighted.entries()) {
      const l = live[k]!;
      const unit = s.positions * s.spatial;
      dense += 3 * unit * s.nIn * s.nOut;
      weights += s.spatial * s.nIn * s.nOut;
      sparse +=
        unit *
        (l.outputs.length * (3 * l.inputs.length + l.gradientInputs.length) +
          l.gradientOutputs.length * (l.inputs.length + l.gradientInputs.length));
    }
    const analysis = batchSize === undefined ? 0 : (ANALYSIS_COST_PER_WEIGHT * weights) / batchSize;
    return (sparse + analysis) / dense;
  }

  /** The loss, output and gradients of one batch (nothing is updated). */
  async gradients(
    x: tf.Tensor,
    loss: (output: tf.Tensor) => tf.Scalar,
  ): Promise<SparseAwareGradients> {
    if (this.mode === 'dense')
      return { ...this.denseGradients(x, loss), sparse: false, costRatio: 1 };
    // the analysis alone would cost too much at this batch size: nothing to read
    const floor = this.costRatio(
      this.weighted.map(() => NOTHING_LIVE),
      x.shape[0]!,
    );
    if (this.mode === 'auto' && floor > this.maxCostRatio) {
      return { ...this.denseGradients(x, loss), sparse: false, costRatio: floor };
    }
    const { kernels, biases, live } = await this.readWeights();
    const costRatio = this.costRatio(live, x.shape[0]!);
    const empty = live.some((l) => l.outputs.length === 0); // nothing varies past a layer
    if (empty || (this.mode === 'auto' && costRatio > this.maxCostRatio)) {
      return { ...this.denseGradients(x, loss), sparse: false, costRatio };
    }
    return {
      ...this.liveGradients(x, loss, live, kernels, biases, await maxPoolGradientGoesFirst()),
      sparse: true,
      costRatio,
    };
  }

  /**
   * One optimizer step: {@link SparseAwareStep.gradients}, then
   * `optimizer.applyGradients`. The caller disposes `value` and `output`.
   */
  async minimize(
    optimizer: tf.Optimizer,
    x: tf.Tensor,
    loss: (output: tf.Tensor) => tf.Scalar,
  ): Promise<Omit<SparseAwareGradients, 'grads'>> {
    const { grads, ...rest } = await this.gradients(x, loss);
    optimizer.applyGradients(grads);
    tf.dispose(Object.values(grads));
    return rest;
  }

  private variables(): tf.Variable[] {
    return this.weighted.flatMap((s) => (s.bias ? [s.kernel, s.bias] : [s.kernel]));
  }

  private denseGradients(x: tf.Tensor, loss: (output: tf.Tensor) => tf.Scalar) {
    let output: tf.Tensor | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const out = this.model.apply(x, { training: true }) as tf.Tensor;
      output = tf.keep(out);
      return loss(out);
    }, this.variables());
    return { value, output: output!, grads };
  }

  private liveGradients(
    x: tf.Tensor,
    loss: (output: tf.Tensor) => tf.Scalar,
    live: LiveLayer[],
    kernels: Float32Array[],
    biases: Array<Float32Array | null>,
    poolFirst: boolean,
  ) {
    const layers = this.weighted.map((stage, k) => {
      const next = this.plan.stages[this.plan.stages.indexOf(stage) + 1];
      const pooled = poolFirst ? pooledGradients(stage, next) : null;
      return layerBlocks(stage, live[k]!, kernels[k]!, biases[k] ?? null, pooled);
    });
    const inputs = layers.flatMap((groups) => groups.flatMap((g) => g.blocks.map((b) => b.tensor)));
    let output: tf.Tensor | undefined;
    const f = (...args: tf.Tensor[]) => {
      let at = 0;
      let h = x;
      for (const layer of this.plan.preprocess) h = layer.apply(h, { training: true }) as tf.Tensor;
      // the previous layer's varying maps and gradient-only maps
      let maps: tf.Tensor | null = h;
      let probes: tf.Tensor | null = null;
      // the gradient-only maps were computed at the resolution of the pooling that follows
      let probesPooled = false;
      let k = 0;
      for (const stage of this.plan.stages) {
        if (stage.kind !== 'weighted') {
          const pass = (t: tf.Tensor | null) =>
            t === null
              ? null
              : stage.kind === 'pool'
                ? (stage.layer.apply(t, { training: true }) as tf.Tensor)
                : tf.reshape(t, [t.shape[0]!, -1]);
          maps = pass(maps);
          probes = probesPooled ? probes : pass(probes);
          probesPooled = false;
          continue;
        }
        const inMaps = maps;
        const inProbes = probes;
        maps = null;
        probes = null;
        for (const group of layers[k]!) {
          let z: tf.Tensor | null = null;
          for (const block of group.blocks) {
            const w = args[at++]!;
            if (block.role === 'map') z = applyKernel(stage, inMaps!, w);
            else if (block.role === 'liveProduct') {
              z = liveProduct(stage, inMaps!, w, group.varying, k > 0, group.pooled);
            } else if (block.role === 'probe') {
              z = probeConstants(stage, z!, inProbes!, w, block.probeColumns ?? null);
            } else if (block.role === 'constant') {
              const tapSums = stage.spatial === 1 ? w : tf.sum(w, range(w.rank - 2));
              const values = tf.tensor2d(block.values!, [1, block.values!.length]);
              z = tf.add(z!, tf.reshape(tf.matMul(values, tapSums as tf.Tensor2D), [-1]));
            } else z = tf.add(z!, w);
          }
          const a = stage.activate(z!);
          const computed = group.units.length;
          if (group.varying === computed) maps = a;
          else if (group.varying === 0) {
            probes = a;
            probesPooled = group.pooled !== null;
          } else {
            // the units are ordered varying first, then gradient-only
            const begin = new Array<number>(a.rank).fill(0);
            const size = [...a.shape.slice(0, -1), group.varying];
            maps = tf.slice(a, begin, size);
            probes = tf.slice(
              a,
              [...begin.slice(0, -1), group.varying],
              [...size.slice(0, -1), computed - group.varying],
            );
          }
        }
        k++;
      }
      output = tf.keep(maps!);
      return loss(maps!);
    };
    const { value, grads } = tf.valueAndGrads(f)(inputs);
    const named: tf.NamedTensorMap = {};
    let at = 0;
    for (const [k, stage] of this.weighted.entries()) {
      const kernelParts: Array<{ grad: tf.Tensor; rows: number[]; cols: number[] }> = [];
      const biasParts: Array<{ grad: tf.Tensor; cols: number[] }> = [];
      for (const group of layers[k]!) {
        for (const block of group.blocks) {
          const grad = grads[at++]!;
          if (block.role === 'bias') biasParts.push({ grad, cols: group.units });
          else kernelParts.push({ grad, rows: block.rows, cols: group.units });
        }
      }
      named[stage.kernel.name] = scatterKernel(stage, kernelParts);
      if (stage.bias) named[stage.bias.name] = scatterVector(biasParts, stage.nOut);
    }
    tf.dispose(grads);
    for (const t of inputs) if (!(t instanceof tf.Variable)) t.dispose();
    return { value, output: output!, grads: named };
  }
}

/** A tensor the live computation differentiates: a block of a kernel, or of a bias. */
interface Block {
  /**
   * From the varying inputs: `'map'` (a plain product) or `'liveProduct'` (the weights into
   * the gradient-only units are all zero: see {@link liveProduct}); `'probe'`: from the
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
interface UnitGroup {
  /** The varying units, then the gradient-only ones. */
  units: number[];
  /** How many of `units` are varying (the first ones). */
  varying: number;
  /** Gradient-only units computed at the resolution of the max pooling after them, or null. */
  pooled: PooledGradients | null;
  blocks: Block[];
}

/**
 * A convolution followed by a `'valid'` max pooling, whose gradient-only units (constant
 * maps) are computed at the pooled resolution: the max pooling's gradient of a constant
 * window goes to the window's first position (on backends where it does, see
 * {@link maxPoolGradientGoesFirst}), so their weight gradient is one over those positions: a
 * weight gradient with the conv's stride times the pooling's.
 */
interface PooledGradients {
  /** The strides of that weight gradient. */
  strides: [number, number];
  /** The pooled maps' `[height, width]`. */
  size: [number, number];
}

/** The {@link PooledGradients} of a conv stage followed by `next`, or null when it has none. */
function pooledGradients(
  stage: WeightedStage,
  next: WeightedStage | PassStage | undefined,
): PooledGradients | null {
  if (next?.kind !== 'pool' || next.layer.getClassName() !== 'MaxPooling2D') return null;
  if (stage.layer.getClassName() !== 'Conv2D' || !stage.probesConstants) return null;
  const pool = configOf(next.layer);
  if (pool.padding !== 'valid') return null;
  const convStrides = pair(configOf(stage.layer).strides);
  const poolStrides = pair(pool.strides ?? pool.poolSize);
  const strides: [number, number] = [
    convStrides[0] * poolStrides[0],
    convStrides[1] * poolStrides[1],
  ];
  const input = inputShapeOf(stage.layer) as number[];
  const pooled = next.layer.outputShape as number[];
  const size: [number, number] = [pooled[1]!, pooled[2]!];
  // the strided weight gradient must see exactly the windows' first positions
  for (const d of [0, 1]) {
    const k = stage.kernel.shape[d]!;
    if (Math.floor((input[d + 1]! - k) / strides[d]!) + 1 !== size[d]) return null;
  }
  return { strides, size };
}

/** Per backend: whether its max-pooling gradient sends a constant window's gradient to the window's first position. */
const poolFirstByBackend = new Map<string, boolean>();

/**
 * Whether the backend's max-pooling gradient sends the gradient of a window of equal values
 * to the window's first position (checked once per backend, for positive and negative values).
 */
async function maxPoolGradientGoesFirst(): Promise<boolean> {
  const backend = tf.getBackend();
  const known = poolFirstByBackend.get(backend);
  if (known !== undefined) return known;
  const gradient = tf.tidy(() =>
    tf.grad((x: tf.Tensor) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid'))(
      tf.tensor4d([1, 1, 1, 1, -1, -1, -1, -1], [2, 2, 2, 1]),
    ),
  );
  const values = await gradient.data();
  gradient.dispose();
  const first = Array.from(values).join() === '1,0,0,0,1,0,0,0';
  poolFirstByBackend.set(backend, first);
  return first;
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
function layerBlocks(
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
function blockIndices(stage: WeightedStage, rows: number[], cols: number[]): Int32Array {
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

/**
 * `z + c·Σ_taps W` for inputs that are constant maps (values `c`, read at the first
 * position) whose gradient map is needed: the forward pass adds the constant, and the
 * backward pass gives the maps the input gradient of the layer (what the dense layer gives
 * them) and `W` the constant-input gradient `c·Σ_positions dz` per tap.
 */
function probeConstants(
  stage: WeightedStage,
  z: tf.Tensor,
  maps: tf.Tensor,
  w: tf.Tensor,
  columns: number[] | null,
): tf.Tensor {
  const conv = stage.layer.getClassName() === 'Conv2D';
  const config = configOf(stage.layer);
  const probe = tf.customGrad(((...args: [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc]) => {
    const [zIn, mapsIn, wIn, save] = args;
    const channels = mapsIn.shape.at(-1)!;
    const c = tf.reshape(
      tf.slice(mapsIn, new Array(mapsIn.rank).fill(0), [
        ...new Array(mapsIn.rank - 1).fill(1),
        channels,
      ]),
      [1, channels],
    );
    const tapSums = conv ? tf.sum(wIn, [0, 1]) : wIn;
    save([c, wIn, mapsIn]);
    return {
      value: tf.add(zIn, tf.reshape(tf.matMul(c, tapSums as tf.Tensor2D), [-1])),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [cs, ws, mapsSaved] = saved as [tf.Tensor2D, tf.Tensor, tf.Tensor];
        const positionSums = tf.reshape(tf.sum(dy, range(dy.rank - 1)), [1, -1]);
        const perTap = tf.matMul(cs, positionSums, true); // [channels, units]
        const dw = conv ? tf.broadcastTo(perTap, ws.shape) : perTap;
        // only the units with a non-zero weight from these inputs give them a gradient
        const dyLive = columns ? tf.gather(dy, columns, -1) : dy;
        const wLive = columns ? tf.gather(ws, columns, -1) : ws;
        const dMaps =
          columns?.length === 0
            ? tf.zerosLike(mapsSaved)
            : conv
              ? tf.conv2dTranspose(
                  dyLive as tf.Tensor4D,
                  wLive as tf.Tensor4D,
                  mapsSaved.shape as [number, number, number, number],
                  pair(config.strides),
                  'valid',
                )
              : tf.matMul(dyLive as tf.Tensor2D, wLive as tf.Tensor2D, false, true);
        return [dy, dMaps, dw];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return probe(z, maps, w);
}

/**
 * `h · W` over a layer's computed units, where the weights into the gradient-only units (the
 * last ones, from `varying` on) are all zero: the forward pass computes the varying units
 * and gives the others zeros; the backward pass gives `W` its whole gradient in one product
 * and `h` its gradient through the varying units' weights only (the others' are zero), or
 * zeros when `h` needs none (the model's input).
 */
function liveProduct(
  stage: WeightedStage,
  h: tf.Tensor,
  w: tf.Tensor,
  varying: number,
  inputNeedsGradient: boolean,
  pooled: PooledGradients | null,
): tf.Tensor {
  const conv = stage.layer.getClassName() === 'Conv2D';
  const config = configOf(stage.layer);
  const strides = pair(config.strides);
  const padding = config.padding as 'valid' | 'same';
  const lastAxis = (t: tf.Tensor, from: number, size: number) =>
    tf.slice(t, [...new Array<number>(t.rank - 1).fill(0), from], [...t.shape.slice(0, -1), size]);
  const product = tf.customGrad(((...args: [tf.Tensor, tf.Tensor, tf.GradSaveFunc]) => {
    const [hIn, wIn, save] = args;
    const units = wIn.shape.at(-1)!;
    const wVarying = lastAxis(wIn, 0, varying);
    const outShape = pooled
      ? [hIn.shape[0]!, ...pooled.size]
      : conv
        ? (stage.layer.computeOutputShape(hIn.shape) as number[]).slice(0, -1)
        : [hIn.shape[0]!];
    const zeros = tf.zeros([...outShape, units - varying]);
    save([hIn, wVarying]);
    return {
      value: varying === 0 ? zeros : tf.concat([applyKernel(stage, hIn, wVarying), zeros], -1),
      gradFunc: (dz: tf.Tensor, saved: tf.Tensor[]) => {
        const [hSaved, wSaved] = saved as [tf.Tensor, tf.Tensor];
        const dw = conv
          ? tf.engine().runKernel('Conv2DBackpropFilter', { x: hSaved, dy: dz }, {
              strides: pooled ? pooled.strides : strides,
              pad: padding,
              dataFormat: 'NHWC',
              dimRoundingMode: undefined,
              filterShape: wIn.shape,
            } as unknown as tf.NamedAttrMap)
          : tf.matMul(hSaved as tf.Tensor2D, dz as tf.Tensor2D, true, false);
        if (!inputNeedsGradient || varying === 0) return [tf.zerosLike(hSaved), dw as tf.Tensor];
        const dzVarying = lastAxis(dz, 0, varying);
        const dh = conv
          ? tf.conv2dTranspose(
              dzVarying as tf.Tensor4D,
              wSaved as tf.Tensor4D,
              hSaved.shape as [number, number, number, number],
              strides,
              padding,
            )
          : tf.matMul(dzVarying as tf.Tensor2D, wSaved as tf.Tensor2D, false, true);
        return [dh, dw as tf.Tensor];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return product(h, w);
}

const pair = (v: unknown) => (Array.isArray(v) ? v : [v, v]) as [number, number];

function applyKernel(stage: WeightedStage, h: tf.Tensor, kernel: tf.Tensor): tf.Tensor {
  const config = configOf(stage.layer);
  if (stage.layer.getClassName() === 'Dense') {
    if (h.rank !== 2) {
      throw new RangeError(
        `SparseAwareStep: Dense '${stage.layer.name}' gets a rank-${h.rank} input; only rank 2 (after Flatten) is supported`,
      );
    }
    return tf.matMul(h as tf.Tensor2D, kernel as tf.Tensor2D);
  }
  return tf.conv2d(
    h as tf.Tensor4D,
    kernel as tf.Tensor4D,
    pair(config.strides),
    config.padding as 'valid' | 'same',
    'NHWC',
    pair(config.dilationRate ?? 1),
  );
}

/** The full-shape gradient of a kernel from the gradients of its blocks (zeros elsewhere). */
function scatterKernel(
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
function scatterVector(parts: Array<{ grad: tf.Tensor; cols: number[] }>, n: number): tf.Tensor {
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
