/**
 * What `compact` does to one layer, shared by its chain path (`compact.ts`) and its graph
 * path for residual models (`compact-graph.ts`): reading a weighted layer (the kinds of
 * `compact-kernels.ts`), folding constant inputs into its bias, the inputs its kept units
 * need, pushing per-channel constants through the layers between, and cloning layers with
 * fewer channels. Internal: not exported from the package.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { CompactedLayer } from './compact.js';
import { KERNEL_NAMES, type KernelView, kernelView } from './compact-kernels.js';
import { configOf, inputShapeOf, type Layer } from './layer-chain.js';
import { computed, type Reads } from './reads.js';
import { Standardize } from './standardize.js';

/** The layers whose units `compact` removes (their kernels: `compact-kernels.ts`). */
export const WEIGHTED = new Set(Object.keys(KERNEL_NAMES));
/** Layers that are the identity at inference. */
export const IDENTITY = new Set([
  'Dropout',
  'SpatialDropout1D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
]);
/** Pooling layers: a constant channel stays the same constant. */
export const POOLING = new Set([
  'MaxPooling1D',
  'MaxPooling2D',
  'AveragePooling1D',
  'AveragePooling2D',
  'GlobalMaxPooling1D',
  'GlobalMaxPooling2D',
  'GlobalAveragePooling1D',
  'GlobalAveragePooling2D',
]);
/** Layers applying a function to every entry on its own. */
export const ELEMENTWISE = new Set(['Activation', 'ReLU', 'LeakyReLU', 'ELU', 'ThresholdedReLU']);
/** The layers `compact` sees through between two weighted layers of a chain. */
export const SUPPORTED_BETWEEN = [
  'Flatten',
  'BatchNormalization',
  'Standardize',
  ...ELEMENTWISE,
  ...POOLING,
  ...IDENTITY,
];

/** A weighted layer read into plain arrays, its kernels seen per (input, unit) pair. */
export interface Weighted extends KernelView {
  /** The layer. */
  layer: Layer;
  /** Its index in the chain (or in `model.layers`). */
  position: number;
  /** The bias (zeros without one). */
  bias: Float64Array;
  /** Whether the layer has a bias. */
  useBias: boolean;
  /** The activation's name. */
  activation: string;
  /** Constant value of each input (null: not constant); null: no input is constant. */
  inConst: Array<number | null> | null;
  /** Channels of the input (the previous weighted layer's units, or the input tensor's). */
  prevChannels: number;
  /** Input features per input channel (> 1 after a Flatten of a feature map). */
  positions: number;
  /** Folded bias per unit. */
  foldedBias: Float64Array;
  /** Constant output (after the activation) per unit; null: varying. */
  outConst: Array<number | null>;
  /** The units that stay. */
  keep: number[];
}

/** A layer of the compact model and how to get its weights once it is built. */
export interface LayerPlan {
  /** The new layer. */
  layer: Layer;
  /** Its weights (tensors that are not variables are disposed once set). */
  weights: () => tf.Tensor[];
}

/** The values of a layer's weight `<layer>/<suffix>` (the variable itself, never disposed). */
export function* weightValue(layer: Layer, suffix: string): Reads<Float32Array | undefined> {
  const v = layer.weights.find((w) => w.originalName.split('/').at(-1) === suffix);
  return v ? yield v.read() : undefined;
}

/** Reads a weighted layer (channels-last) into a {@link Weighted}. */
export function* readWeighted(layer: Layer, position: number): Reads<Weighted> {
  const config = configOf(layer);
  const kind = layer.getClassName();
  if (kind !== 'Dense' && config.dataFormat === 'channelsFirst') {
    throw new RangeError(
      `compact: ${kind} '${layer.name}' is channelsFirst; only channelsLast is supported`,
    );
  }
  const kernels: Float32Array[] = [];
  for (const name of KERNEL_NAMES[kind]!) kernels.push((yield* weightValue(layer, name))!);
  const view = kernelView(layer, kernels);
  const biasValues = yield* weightValue(layer, 'bias');
  return {
    ...view,
    layer,
    position,
    bias: biasValues ? Float64Array.from(biasValues) : new Float64Array(view.nOut),
    useBias: biasValues !== undefined,
    activation: String(config.activation ?? 'linear'),
    inConst: null,
    prevChannels: 0,
    positions: 1,
    foldedBias: new Float64Array(view.nOut),
    outConst: [],
    keep: [],
  };
}

/** Whether input f's contribution to unit o is a constant that can go into o's bias. */
export function foldable(w: Weighted, f: number, o: number): boolean {
  const c = w.inConst?.[f];
  if (c === null || c === undefined) return false;
  return w.foldsAnyConstant || c === 0 || !w.sliceNonZero[f * w.nOut + o];
}

/**
 * Whether input f is a constant that folds into every unit's bias (the compact copy's kernel
 * entries of f are then zero). Where it folds into some units only, its slices to the others
 * are zero already.
 */
export function foldsIntoBias(w: Weighted, f: number): boolean {
  const c = w.inConst?.[f];
  return c !== null && c !== undefined && (w.foldsAnyConstant || c === 0);
}

/**
 * Per input of `w`: whether it must stay for the units `w.keep` — a kept unit reads it
 * through a non-zero slice that does not fold. For a DepthwiseConv2D: whether one of its
 * units stays. A depthwise unit exists only with its input channel, so there the kept units
 * are then made exactly those of the kept inputs (`depthwiseUnits`): a unit of a kept input
 * stays even when nothing needs it (what reads it, reads it through zero or folded weights).
 */
export function neededInputs(w: Weighted): Uint8Array {
  const needed = new Uint8Array(w.nIn);
  const dm = w.depthMultiplier;
  if (dm !== null) {
    for (const o of w.keep) needed[Math.floor(o / dm)] = 1;
    return needed;
  }
  for (let f = 0; f < w.nIn; f++) {
    for (const o of w.keep) {
      if (w.sliceNonZero[f * w.nOut + o] && !foldable(w, f, o)) {
        needed[f] = 1;
        break;
      }
    }
  }
  return needed;
}

/**
 * Folds constant inputs into the biases and finds the constant units of `w`. For the last
 * layer (`isLast`: nothing reads its constants) they are the folded biases, before the
 * activation (which may be a softmax there); a softmax anywhere else is an error.
 */
export function* fold(w: Weighted, isLast: boolean): Reads<void> {
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
 * The per-channel constants after one channel-preserving layer (dropout, pooling, an
 * elementwise activation, BatchNorm, {@link Standardize}), or `undefined` for any other
 * layer (Flatten included: its caller tracks the positions). `where` places the layer in
 * error messages; `flattened`: the input is a flattened feature map (BatchNorm and
 * Standardize act per feature there, which compact cannot slice).
 */
export function* channelConstants(
  layer: Layer,
  values: Array<number | null>,
  where: string,
  flattened: boolean,
): Reads<Array<number | null> | undefined> {
  const kind = layer.getClassName();
  const config = configOf(layer);
  if (IDENTITY.has(kind)) return values;
  if (POOLING.has(kind)) {
    if (config.dataFormat === 'channelsFirst') {
      throw new RangeError(
        `compact: ${kind} '${layer.name}' ${where} is channelsFirst; only channelsLast is supported`,
      );
    }
    return values;
  }
  if (ELEMENTWISE.has(kind)) {
    if (kind === 'Activation' && config.activation === 'softmax') {
      throw new RangeError(
        `compact: softmax '${layer.name}' ${where} couples the units: removing one changes the others`,
      );
    }
    const known = values.map((v) => v ?? 0);
    const out = Array.from(yield* computed(() => layer.apply(tf.tensor2d([known])) as tf.Tensor));
    return values.map((v, i) => (v === null ? null : out[i]!));
  }
  if (kind === 'BatchNormalization' || kind === 'Standardize') {
    if (flattened) {
      throw new RangeError(
        `compact: ${kind} '${layer.name}' ${where} acts per feature after a Flatten of a feature map; compact cannot remove a channel from it`,
      );
    }
    const [scale, shift] = yield* affineOf(layer, values.length);
    return values.map((v, i) => (v === null ? null : v * scale[i]! + shift[i]!));
  }
  return undefined;
}

/** `x ↦ scale·x + shift` per channel of a BatchNormalization (inference) or Standardize. */
export function* affineOf(layer: Layer, channels: number): Reads<[Float64Array, Float64Array]> {
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

/**
 * A copy of `layer`'s config with `changes`, as a new layer of the same class; `first`: the
 * first layer of a Sequential, which gets `inputShape` (batch axis included).
 */
export function cloneLayer(
  layer: Layer,
  changes: Record<string, unknown>,
  first = false,
  inputShape: Array<number | null> = [],
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

/**
 * The compact copy of a weighted layer: `w.keep` units, the input rows `rows` (old input
 * indices in the new order), the folded constants in the bias (which it gets if they are not
 * all zero) and zeros where they were.
 */
export function weightedPlan(
  w: Weighted,
  rows: number[],
  first = false,
  inputShape: Array<number | null> = [],
): LayerPlan {
  const bias = w.keep.map((o) => w.foldedBias[o]!);
  const useBias = w.useBias || bias.some((b) => b !== 0);
  const shrunk = w.shrink(rows, w.keep, (f) => foldsIntoBias(w, f));
  const layer = cloneLayer(
    w.layer,
    { ...shrunk.config, useBias, biasInitializer: 'zeros' },
    first,
    inputShape,
  );
  return {
    layer,
    weights: () => {
      const kernels = shrunk.kernels();
      return useBias ? [...kernels, tf.tensor1d(bias)] : kernels;
    },
  };
}

/**
 * The compact copy of a layer that acts per channel: BatchNormalization's weights gathered
 * and {@link Standardize}'s means and deviations picked at the channels `keep` (null: all,
 * the layer copied as it is); any other layer copied with its weights.
 */
export function channelPlan(
  layer: Layer,
  keep: number[] | null,
  first = false,
  inputShape: Array<number | null> = [],
): LayerPlan {
  if (keep !== null && layer instanceof Standardize) {
    const pick = (v: number[]) => (v.length === 1 ? v[0]! : keep.map((c) => v[c]!));
    return {
      layer: cloneLayer(layer, { mean: pick(layer.mean), std: pick(layer.std) }, first, inputShape),
      weights: () => [],
    };
  }
  if (keep !== null && layer.getClassName() === 'BatchNormalization') {
    return {
      layer: cloneLayer(layer, {}, first, inputShape),
      weights: () => layer.getWeights().map((t) => tf.gather(t, keep)),
    };
  }
  return {
    layer: cloneLayer(layer, {}, first, inputShape),
    weights: () => layer.getWeights(),
  };
}

/** Writes the planned weights into the (built) new layers; frees the tensors made for it. */
export function setPlannedWeights(plans: LayerPlan[]): void {
  for (const plan of plans) {
    if (plan.layer.weights.length === 0) continue;
    const tensors = plan.weights();
    plan.layer.setWeights(tensors);
    // tensors made here are ours to free; the original layer's own variables are not
    for (const t of tensors) if (!(t instanceof tf.Variable)) t.dispose();
  }
}

/** What happened to `w`'s units, for {@link CompactedLayer}. */
export function reportOf(w: Weighted): CompactedLayer {
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
}

/** Old input indices, in the compact layer's order, of `w`'s inputs that stay. */
export function inputRows(w: Weighted, keptPrev: number[]): number[] {
  const rows: number[] = [];
  for (let p = 0; p < w.positions; p++) {
    for (const u of keptPrev) rows.push(p * w.prevChannels + u);
  }
  return rows;
}
