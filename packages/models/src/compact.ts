import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { type ModelCost, modelCost } from './cost.js';
import { type Layer, layerChain } from './layer-chain.js';
import { range } from './range.js';
import { Standardize } from './standardize.js';

/** What {@link compact} did to one Dense / Conv2D layer. */
export interface CompactedLayer {
  /** The layer's name (the compact model keeps it). */
  name: string;
  /** `'Dense'` or `'Conv2D'`. */
  className: string;
  /** Units (neurons, or output channels) before. */
  unitsBefore: number;
  /** Units after. */
  unitsAfter: number;
  /**
   * Removed units that were constant (no live incoming weight: they output `σ(bias)`),
   * their contribution folded into the next layer's bias.
   */
  removedConstant: number;
  /** Removed units whose outgoing weights (to the units kept) are all zero. */
  removedUnused: number;
  /**
   * Constant units that had to stay: the output layer's, a channel read by a `'same'`-padded
   * convolution (its border sees the zero padding, so the contribution is not a constant),
   * or the one unit kept when a layer would otherwise be empty.
   */
  keptConstant: number;
}

/** The result of {@link compact}. */
export interface CompactResult {
  /** The smaller model; it computes the same function as the original. */
  model: tfl.Sequential;
  /** Parameters and FLOPs of the original. */
  before: ModelCost;
  /** Parameters and FLOPs of the compact model. */
  after: ModelCost;
  /** Per Dense / Conv2D layer, in order. */
  layers: CompactedLayer[];
}

/** Options of {@link compact}. */
export interface CompactOptions {
  /** Name of the new model (default: the original's name + `'_compact'`). */
  name?: string;
}

const WEIGHTED = new Set(['Dense', 'Conv2D']);
const IDENTITY = new Set([
  'Dropout',
  'SpatialDropout1D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
]);
const POOLING = new Set([
  'MaxPooling1D',
  'MaxPooling2D',
  'AveragePooling1D',
  'AveragePooling2D',
  'GlobalMaxPooling1D',
  'GlobalMaxPooling2D',
  'GlobalAveragePooling1D',
  'GlobalAveragePooling2D',
]);
const ELEMENTWISE = new Set(['Activation', 'ReLU', 'LeakyReLU', 'ELU', 'ThresholdedReLU']);
const SUPPORTED_BETWEEN = [
  'Flatten',
  'BatchNormalization',
  'Standardize',
  ...ELEMENTWISE,
  ...POOLING,
  ...IDENTITY,
];

/** A Dense or Conv2D layer read into plain arrays; kernel viewed as `[spatial, nIn, nOut]`. */
interface Weighted {
  layer: Layer;
  position: number;
  kernel: Float32Array;
  kernelShape: number[];
  spatial: number;
  nIn: number;
  nOut: number;
  bias: Float64Array;
  useBias: boolean;
  /** Whether a constant input map contributes a constant (full windows: 'valid', or 1×1). */
  foldsAnyConstant: boolean;
  activation: string;
  /** Per input f and unit o: Σ over the kernel slice, and whether the slice is non-zero. */
  sliceSum: Float64Array;
  sliceNonZero: Uint8Array;
  /** Constant value of each input (null: not constant); null for the first layer. */
  inConst: Array<number | null> | null;
  /** Channels of the previous weighted layer, and positions per channel after Flatten. */
  prevChannels: number;
  positions: number;
  /** Folded bias and constant output (after the activation) per unit. */
  foldedBias: Float64Array;
  outConst: Array<number | null>;
  keep: number[];
}

/**
 * A smaller model that computes the same function as a trained chain of Dense / Conv2D
 * layers (paper §4.6: the net designs its own architecture — here as an actual smaller
 * net):
 *
 * - a unit (neuron, or conv output channel) with no live incoming weight outputs the
 *   constant `σ(b)`; its contribution `σ(b)·W` to the next layer is folded into that
 *   layer's bias (through whatever lies between: activations, max/avg pooling of a constant
 *   map, BatchNorm, Flatten into specific Dense inputs) and the unit is removed — units fed
 *   only by such constants become constant in turn;
 * - a unit whose outgoing weights to the units kept are all zero is removed (backwards, so
 *   this cascades too).
 *
 * Input features and output units are never removed. The model must be a single chain
 * (`tf.Sequential`) of Dense, Conv2D (channels-last) and, between them, Flatten,
 * BatchNormalization, {@link Standardize}, elementwise activations, pooling and dropout;
 * any layer before the first or after the last Dense / Conv2D is copied. Where the result
 * could not be exact — a softmax between two weighted layers, an unknown layer between
 * them, per-feature BatchNorm after a Flatten — it throws instead. The original is not
 * modified. The compact model's kernels keep their zero entries (unstructured sparsity is
 * not a smaller shape).
 *
 * It reads the weights synchronously (`dataSync`), which the `webgpu` backend cannot do in
 * Node: there, use {@link compactAsync}.
 *
 * @example
 * ```ts
 * const { model: small, before, after } = compact(model);
 * console.log(`${before.params} → ${after.params} parameters`);
 * ```
 */
export function compact(model: tfl.LayersModel, options: CompactOptions = {}): CompactResult {
  const steps = compactSteps(model, options);
  try {
    let step = steps.next();
    while (!step.done) step = steps.next(step.value.dataSync() as Float32Array);
    return step.value;
  } finally {
    steps.return(undefined as never); // after a failed read: frees what the steps hold
  }
}

/**
 * {@link compact} with asynchronous reads of the weights (`await tensor.data()`): the same
 * result, on every backend, including `webgpu` in Node (which has no synchronous read).
 *
 * @example
 * ```ts
 * const { model: small, before, after } = await compactAsync(model);
 * console.log(`${before.params} → ${after.params} parameters`);
 * ```
 */
export async function compactAsync(
  model: tfl.LayersModel,
  options: CompactOptions = {},
): Promise<CompactResult> {
  const steps = compactSteps(model, options);
  try {
    let step = steps.next();
    while (!step.done) step = steps.next((await step.value.data()) as Float32Array);
    return step.value;
  } finally {
    steps.return(undefined as never); // after a failed read: frees what the steps hold
  }
}

/**
 * A computation that needs tensor values: it yields each tensor it must read and is resumed
 * with the tensor's values, so that {@link compact} reads them synchronously and
 * {@link compactAsync} asynchronously from one algorithm. It disposes what it yields when it
 * owns it.
 */
type Reads<T> = Generator<tf.Tensor, T, Float32Array>;

/** The algorithm of {@link compact}. */
function* compactSteps(model: tfl.LayersModel, options: CompactOptions): Reads<CompactResult> {
  const chain = layerChain(model, 'compact');
  const positions = chain.flatMap((l, i) => (WEIGHTED.has(l.getClassName()) ? [i] : []));
  if (positions.length === 0) {
    throw new RangeError('compact: the model has no Dense or Conv2D layer to compact');
  }
  const weighted: Weighted[] = [];
  for (const p of positions) weighted.push(yield* readWeighted(chain[p]!, p));

  // forward: constant units, folded biases
  for (const [k, w] of weighted.entries()) {
    if (k > 0) {
      const prev = weighted[k - 1]!;
      const segment = chain.slice(prev.position + 1, w.position);
      const { values, flattened } = yield* propagate(segment, prev.outConst, prev.layer, w.layer);
      w.prevChannels = prev.nOut;
      w.positions = w.nIn / prev.nOut;
      if (!Number.isInteger(w.positions) || (w.positions !== 1 && !flattened)) {
        throw new RangeError(
          `compact: '${w.layer.name}' has ${w.nIn} inputs but '${prev.layer.name}' has ${prev.nOut} units and no Flatten lies between them`,
        );
      }
      w.inConst = Array.from({ length: w.nIn }, (_, f) => values[f % prev.nOut] ?? null);
    }
    yield* fold(w, k === weighted.length - 1);
  }

  // backward: the units that must stay
  const last = weighted[weighted.length - 1]!;
  last.keep = range(last.nOut);
  for (let k = weighted.length - 1; k > 0; k--) {
    const w = weighted[k]!;
    const prev = weighted[k - 1]!;
    const needed = new Uint8Array(prev.nOut);
    for (let f = 0; f < w.nIn; f++) {
      const u = f % prev.nOut;
      if (needed[u]) continue;
      for (const o of w.keep) {
        if (w.sliceNonZero[f * w.nOut + o] && !foldable(w, f, o)) {
          needed[u] = 1;
          break;
        }
      }
    }
    prev.keep = range(prev.nOut).filter((u) => needed[u]);
    if (prev.keep.length === 0) prev.keep = [0];
  }

  const compactModel = rebuild(model, chain, weighted, options.name ?? `${model.name}_compact`);
  return {
    model: compactModel,
    before: modelCost(model),
    after: modelCost(compactModel),
    layers: weighted.map((w) => {
      const kept = new Set(w.keep);
      let removedConstant = 0;
      let removedUnused = 0;
      let keptConstant = 0;
      for (let o = 0; o < w.nOut; o++) {
        const constant = w.outConst[o] !== null;
        if (kept.has(o)) keptConstant += constant ? 1 : 0;
        else if (constant) removedConstant++;
        else removedUnused++;
      }
      return {
        name: w.layer.name,
        className: w.layer.getClassName(),
        unitsBefore: w.nOut,
        unitsAfter: w.keep.length,
        removedConstant,
        removedUnused,
        keptConstant,
      };
    }),
  };
}

function configOf(layer: Layer): Record<string, unknown> {
  return layer.getConfig() as Record<string, unknown>;
}

/** The values of a layer's weight `<layer>/<suffix>` (the variable itself, never disposed). */
function* weightValue(layer: Layer, suffix: string): Reads<Float32Array | undefined> {
  const v = layer.weights.find((w) => w.originalName.split('/').at(-1) === suffix);
  return v ? yield v.read() : undefined;
}

/** The values of `compute()`'s result (disposed once read). */
function* computed(compute: () => tf.Tensor): Reads<Float32Array> {
  const result = tf.tidy(compute);
  try {
    return yield result;
  } finally {
    result.dispose();
  }
}

function* readWeighted(layer: Layer, position: number): Reads<Weighted> {
  const config = configOf(layer);
  const kind = layer.getClassName();
  if (kind === 'Conv2D' && config.dataFormat === 'channelsFirst') {
    throw new RangeError(
      `compact: Conv2D '${layer.name}' is channelsFirst; only channelsLast is supported`,
    );
  }
  const kernelVar = layer.weights.find((w) => w.originalName.split('/').at(-1) === 'kernel')!;
  const kernelShape = kernelVar.shape as number[];
  const nOut = kernelShape[kernelShape.length - 1]!;
  const nIn = kernelShape[kernelShape.length - 2]!;
  const spatial = kernelShape.slice(0, -2).reduce((a, d) => a * d, 1);
  const kernel = (yield* weightValue(layer, 'kernel'))!;
  const biasValues = yield* weightValue(layer, 'bias');
  const sliceSum = new Float64Array(nIn * nOut);
  const sliceNonZero = new Uint8Array(nIn * nOut);
  for (let s = 0; s < spatial; s++) {
    const base = s * nIn * nOut;
    for (let i = 0; i < nIn * nOut; i++) {
      const v = kernel[base + i]!;
      sliceSum[i]! += v;
      if (v !== 0) sliceNonZero[i] = 1;
    }
  }
  return {
    layer,
    position,
    kernel,
    kernelShape,
    spatial,
    nIn,
    nOut,
    bias: biasValues ? Float64Array.from(biasValues) : new Float64Array(nOut),
    useBias: biasValues !== undefined,
    foldsAnyConstant: kind === 'Dense' || config.padding === 'valid' || spatial === 1,
    activation: String(config.activation ?? 'linear'),
    sliceSum,
    sliceNonZero,
    inConst: null,
    prevChannels: 0,
    positions: 1,
    foldedBias: new Float64Array(nOut),
    outConst: [],
    keep: [],
  };
}

/** Whether input f's contribution to unit o is a constant that can go into o's bias. */
function foldable(w: Weighted, f: number, o: number): boolean {
  const c = w.inConst?.[f];
  if (c === null || c === undefined) return false;
  return w.foldsAnyConstant || c === 0 || !w.sliceNonZero[f * w.nOut + o];
}

/** Folds constant inputs into the biases and finds the constant units of `w`. */
function* fold(w: Weighted, isLast: boolean): Reads<void> {
  const constant = new Uint8Array(w.nOut).fill(1);
  w.foldedBias.set(w.bias);
  for (let f = 0; f < w.nIn; f++) {
    const c = w.inConst?.[f];
    for (let o = 0; o < w.nOut; o++) {
      const i = f * w.nOut + o;
      if (foldable(w, f, o)) w.foldedBias[o]! += (c as number) * w.sliceSum[i]!;
      else if (w.sliceNonZero[i]) constant[o] = 0;
    }
  }
  if (!isLast && w.activation === 'softmax') {
    throw new RangeError(
      `compact: hidden layer '${w.layer.name}' uses softmax, which couples its units: removing one changes the others`,
    );
  }
  const values = isLast
    ? Array.from(w.foldedBias)
    : Array.from(
        yield* computed(
          () =>
            tfl.layers
              .activation({ activation: w.activation as 'linear' })
              .apply(tf.tensor1d(Array.from(w.foldedBias))) as tf.Tensor,
        ),
      );
  w.outConst = values.map((v, o) => (constant[o] ? v : null));
}

/**
 * Pushes the per-channel constants of `from`'s units through the layers between it and
 * `to` (activations, pooling, BatchNorm, Standardize, dropout, Flatten).
 */
function* propagate(
  segment: Layer[],
  constants: Array<number | null>,
  from: Layer,
  to: Layer,
): Reads<{ values: Array<number | null>; flattened: boolean }> {
  let values = [...constants];
  let flattened = false;
  const where = `between '${from.name}' and '${to.name}'`;
  for (const layer of segment) {
    const kind = layer.getClassName();
    const config = configOf(layer);
    if (kind === 'Flatten') {
      const inShape = inputShapeOf(layer);
      if (inShape.length > 2) flattened = true;
      continue;
    }
    if (IDENTITY.has(kind)) continue;
    if (POOLING.has(kind)) {
      if (config.dataFormat === 'channelsFirst') {
        throw new RangeError(
          `compact: ${kind} '${layer.name}' ${where} is channelsFirst; only channelsLast is supported`,
        );
      }
      continue;
    }
    if (ELEMENTWISE.has(kind)) {
      if (kind === 'Activation' && config.activation === 'softmax') {
        throw new RangeError(
          `compact: softmax '${layer.name}' ${where} couples the units: removing one changes the others`,
        );
      }
      const known = values.map((v) => v ?? 0);
      const out = Array.from(yield* computed(() => layer.apply(tf.tensor2d([known])) as tf.Tensor));
      values = values.map((v, i) => (v === null ? null : out[i]!));
      continue;
    }
    if (kind === 'BatchNormalization' || kind === 'Standardize') {
      if (flattened) {
        throw new RangeError(
          `compact: ${kind} '${layer.name}' ${where} acts per feature after a Flatten of a feature map; compact cannot remove a channel from it`,
        );
      }
      const [scale, shift] = yield* affineOf(layer, values.length);
      values = values.map((v, i) => (v === null ? null : v * scale[i]! + shift[i]!));
      continue;
    }
    throw new RangeError(
      `compact: cannot see through ${kind} '${layer.name}' ${where}; supported there: ${SUPPORTED_BETWEEN.join(', ')}`,
    );
  }
  return { values, flattened };
}

/** `x ↦ scale·x + shift` per channel of a BatchNormalization (inference) or Standardize. */
function* affineOf(layer: Layer, channels: number): Reads<[Float64Array, Float64Array]> {
  const scale = new Float64Array(channels);
  const shift = new Float64Array(channels);
  if (layer instanceof Standardize) {
    for (let c = 0; c < channels; c++) {
      const m = layer.mean.length === 1 ? layer.mean[0]! : layer.mean[c]!;
      const s = layer.std.length === 1 ? layer.std[0]! : layer.std[c]!;
      scale[c] = 1 / s;
      shift[c] = -m / s;
    }
    return [scale, shift];
  }
  const config = configOf(layer);
  const rank = inputShapeOf(layer).length;
  if (config.axis !== -1 && config.axis !== rank - 1) {
    throw new RangeError(
      `compact: BatchNormalization '${layer.name}' normalizes axis ${String(config.axis)}, not the channel axis (−1)`,
    );
  }
  const gamma = yield* weightValue(layer, 'gamma');
  const beta = yield* weightValue(layer, 'beta');
  const mean = (yield* weightValue(layer, 'moving_mean'))!;
  const variance = (yield* weightValue(layer, 'moving_variance'))!;
  const epsilon = Number(config.epsilon);
  for (let c = 0; c < channels; c++) {
    scale[c] = (gamma ? gamma[c]! : 1) / Math.sqrt(variance[c]! + epsilon);
    shift[c] = (beta ? beta[c]! : 0) - mean[c]! * scale[c]!;
  }
  return [scale, shift];
}

/** A copy of `layer`'s config with `changes`, as a new layer of the same class. */
function cloneLayer(
  layer: Layer,
  changes: Record<string, unknown>,
  first: boolean,
  inputShape: Array<number | null>,
): Layer {
  const config: Record<string, unknown> = { ...configOf(layer), ...changes };
  delete config.inputShape;
  delete config.batchInputShape;
  delete config.batchSize;
  if (first) config.batchInputShape = inputShape;
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[layer.getClassName()];
  if (!entry) {
    throw new Error(
      `compact: layer class ${layer.getClassName()} of '${layer.name}' is not registered`,
    );
  }
  return entry[1](entry[0], config as tf.serialization.ConfigDict) as Layer;
}

/** Builds the compact Sequential and writes its weights. */
function rebuild(
  model: tfl.LayersModel,
  chain: Layer[],
  weighted: Weighted[],
  name: string,
): tfl.Sequential {
  const inputShape = model.inputs[0]!.shape;
  const byPosition = new Map(weighted.map((w, k) => [w.position, k]));
  const firstW = weighted[0]!.position;
  const lastW = weighted[weighted.length - 1]!.position;
  const plans: Array<{ layer: Layer; weights: () => tf.Tensor[] }> = [];

  for (const [i, layer] of chain.entries()) {
    const first = plans.length === 0;
    const k = byPosition.get(i);
    if (k !== undefined) {
      const w = weighted[k]!;
      const rows = k === 0 ? range(w.nIn) : inputRows(w, weighted[k - 1]!.keep);
      const bias = w.keep.map((o) => w.foldedBias[o]!);
      const useBias = w.useBias || bias.some((b) => b !== 0);
      const units =
        w.layer.getClassName() === 'Dense' ? { units: w.keep.length } : { filters: w.keep.length };
      const created = cloneLayer(
        layer,
        { ...units, useBias, kernelInitializer: 'zeros', biasInitializer: 'zeros' },
        first,
        inputShape,
      );
      plans.push({
        layer: created,
        weights: () => {
          const kernel = new Float32Array(w.spatial * rows.length * w.keep.length);
          let j = 0;
          for (let s = 0; s < w.spatial; s++) {
            const base = s * w.nIn * w.nOut;
            for (const f of rows) {
              for (const o of w.keep) {
                kernel[j++] = foldable(w, f, o) ? 0 : w.kernel[base + f * w.nOut + o]!;
              }
            }
          }
          const shape = [...w.kernelShape.slice(0, -2), rows.length, w.keep.length];
          return useBias
            ? [tf.tensor(kernel, shape), tf.tensor1d(bias)]
            : [tf.tensor(kernel, shape)];
        },
      });
      continue;
    }
    if (i < firstW || i > lastW) {
      plans.push({
        layer: cloneLayer(layer, {}, first, inputShape),
        weights: () => layer.getWeights(),
      });
      continue;
    }
    // between two weighted layers: slice per-channel parameters to the kept channels
    const prevK = [...byPosition.entries()].filter(([p]) => p < i).at(-1)![1];
    const keep = weighted[prevK]!.keep;
    if (layer instanceof Standardize) {
      const pick = (v: number[]) => (v.length === 1 ? v[0]! : keep.map((c) => v[c]!));
      plans.push({
        layer: cloneLayer(
          layer,
          { mean: pick(layer.mean), std: pick(layer.std) },
          first,
          inputShape,
        ),
        weights: () => [],
      });
    } else if (layer.getClassName() === 'BatchNormalization') {
      plans.push({
        layer: cloneLayer(layer, {}, first, inputShape),
        weights: () => layer.getWeights().map((t) => tf.gather(t, keep)),
      });
    } else {
      plans.push({
        layer: cloneLayer(layer, {}, first, inputShape),
        weights: () => layer.getWeights(),
      });
    }
  }

  const result = tfl.sequential({ layers: plans.map((p) => p.layer), name });
  for (const plan of plans) {
    if (plan.layer.weights.length === 0) continue;
    const tensors = plan.weights();
    plan.layer.setWeights(tensors);
    // tensors made here are ours to free; the original layer's own variables are not
    for (const t of tensors) if (!(t instanceof tf.Variable)) t.dispose();
  }
  return result;
}

/** The (single) input shape of a layer of a chain, batch axis included. */
function inputShapeOf(layer: Layer): Array<number | null> {
  const node = layer.inboundNodes[0];
  if (!node) throw new Error(`compact: layer '${layer.name}' is not connected`);
  const shapes = node.inputShapes as Array<number | null> | Array<Array<number | null>>;
  return (Array.isArray(shapes[0]) ? shapes[0] : shapes) as Array<number | null>;
}

/** Old input indices, in the compact layer's order, of `w`'s inputs that stay. */
function inputRows(w: Weighted, keptPrev: number[]): number[] {
  const rows: number[] = [];
  for (let p = 0; p < w.positions; p++) {
    for (const u of keptPrev) rows.push(p * w.prevChannels + u);
  }
  return rows;
}
