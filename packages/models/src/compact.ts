import * as tfl from '@tensorflow/tfjs-layers';
import { compactGraph } from './compact-graph.js';
import { depthwiseUnits } from './compact-kernels.js';
import {
  channelConstants,
  channelPlan,
  fold,
  inputRows,
  type LayerPlan,
  neededInputs,
  readWeighted,
  reportOf,
  SUPPORTED_BETWEEN,
  setPlannedWeights,
  WEIGHTED,
  type Weighted,
  weightedPlan,
} from './compact-layers.js';
import { type ModelCost, modelCost } from './cost.js';
import { inputShapeOf, type Layer, layerChain } from './layer-chain.js';
import { range } from './range.js';
import { type Reads, readAsync, readSync } from './reads.js';
import type { resnet18 } from './resnet18.js';
import type { Standardize } from './standardize.js';

/** What {@link compact} did to one weighted layer (the kinds {@link compact} lists). */
export interface CompactedLayer {
  /** The layer's name (the compact model keeps it). */
  name: string;
  /**
   * `'Dense'`, `'Conv1D'`, `'Conv2D'`, `'Conv2DTranspose'`, `'DepthwiseConv2D'` or
   * `'SeparableConv2D'`.
   */
  className: string;
  /**
   * Units (neurons, or output channels: `filters`; for a DepthwiseConv2D its input channels ×
   * depth multiplier) before.
   */
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
   * convolution (its border sees the zero padding, so the contribution is not a constant)
   * or by a Conv2DTranspose (how many taps reach an output position varies), a depthwise
   * unit whose input channel stays for another of its units, in a residual model a channel
   * that another path into the same `Add` keeps, or the one unit kept when a layer would
   * otherwise be empty.
   */
  keptConstant: number;
}

/** The result of {@link compact}. */
export interface CompactResult {
  /**
   * The smaller model; it computes the same function as the original. A `tf.Sequential`
   * when the original is a single chain of layers (a `tf.Sequential`, or a functional model
   * without branches); for a model with branches (a ResNet) a functional `tf.LayersModel`
   * with the original's topology and layer names.
   */
  model: tfl.LayersModel;
  /** Parameters and FLOPs of the original. */
  before: ModelCost;
  /** Parameters and FLOPs of the compact model. */
  after: ModelCost;
  /** Per weighted layer, in the order of `model.layers`. */
  layers: CompactedLayer[];
}

/** Options of {@link compact}. */
export interface CompactOptions {
  /** Name of the new model (default: the original's name + `'_compact'`). */
  name?: string;
}

/**
 * A smaller model that computes the same function as a trained model of Dense and
 * convolution layers (paper §4.6: the net designs its own architecture — here as an actual
 * smaller net):
 *
 * - a unit (neuron, or conv output channel) with no live incoming weight outputs the
 *   constant `σ(b)`; its contribution `σ(b)·W` to the next layer is folded into that
 *   layer's bias (through whatever lies between: activations, max/avg pooling of a constant
 *   map, BatchNorm, Flatten into specific Dense inputs) and the unit is removed — units fed
 *   only by such constants become constant in turn;
 * - a unit whose outgoing weights to the units kept are all zero is removed (backwards, so
 *   this cascades too).
 *
 * Input features and output units are never removed. Supported: a single chain (a
 * `tf.Sequential`, or a functional model without branches) of weighted layers — Dense,
 * Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D (any depth multiplier) and
 * SeparableConv2D, channels-last, any strides and dilation — and, between them, Flatten,
 * BatchNormalization, {@link Standardize}, elementwise activations, pooling and dropout
 * (any layer before the first or after the last weighted layer is copied); and a
 * functional model with one input and one output whose branches meet in `Add` layers (a
 * ResNet such as {@link resnet18}), made of those layers and `ZeroPadding2D`. There, the
 * tensors that an `Add` or a per-channel layer links share their channels: a channel goes
 * only where every path agrees — constant or unused in each tensor, for every weighted layer
 * that reads one of them — and the model's input and output keep all theirs.
 *
 * A non-zero constant channel folds into the next layer's bias only where every output
 * position sees it through all the taps: a Dense layer, a `'valid'` (or one-tap) Conv1D,
 * Conv2D, DepthwiseConv2D or SeparableConv2D; a `'same'` one, and a Conv2DTranspose at any
 * padding and strides, keep it (a constant 0 folds everywhere). A DepthwiseConv2D's unit
 * `c·dm + m` reads input channel `c` only and exists only with it: its kept units are
 * exactly those of its kept input channels. A SeparableConv2D's units are its `filters`; an
 * input channel that goes takes its `dm` depthwise channels with it.
 *
 * Where the result could not be exact — a softmax where units could go, an unknown layer
 * (another merge such as `Concatenate` or `Multiply`, a nested model), per-feature
 * BatchNorm after a Flatten, a layer applied twice, channels-first data — it throws a
 * RangeError naming the layer instead. The original is not modified. The compact model's
 * kernels keep their zero entries (unstructured sparsity is not a smaller shape).
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
  return readSync(compactSteps(model, options));
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
  return readAsync(compactSteps(model, options));
}

/** The algorithm of {@link compact}. */
function* compactSteps(model: tfl.LayersModel, options: CompactOptions): Reads<CompactResult> {
  const chain = chainOf(model);
  if (chain === undefined) return yield* compactGraph(model, options);
  const positions = chain.flatMap((l, i) => (WEIGHTED.has(l.getClassName()) ? [i] : []));
  if (positions.length === 0) {
    throw new RangeError(
      `compact: the model has no layer to compact (${[...WEIGHTED].join(', ')})`,
    );
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
    for (const [f, need] of neededInputs(w).entries()) if (need) needed[f % prev.nOut] = 1;
    prev.keep = range(prev.nOut).filter((u) => needed[u]);
    if (prev.keep.length === 0) prev.keep = [0];
  }
  // forward: a depthwise layer keeps exactly the units of its kept inputs (more than it
  // needed where a unit's sibling or the layer before it stays; that only adds inputs that
  // the next layer reads through zero or folded weights)
  for (const [k, w] of weighted.entries()) {
    if (w.depthMultiplier === null) continue;
    w.keep = depthwiseUnits(k === 0 ? range(w.nIn) : weighted[k - 1]!.keep, w.depthMultiplier);
  }

  const compactModel = rebuild(model, chain, weighted, options.name ?? `${model.name}_compact`);
  return {
    model: compactModel,
    before: modelCost(model),
    after: modelCost(compactModel),
    layers: weighted.map(reportOf),
  };
}

/**
 * The model's layers if it is a single chain; `undefined` if {@link layerChain} refuses it
 * with a RangeError (a branch, a merge, a nested model, several inputs or outputs), which
 * leaves it to the graph path: that compacts what it can and says why it cannot otherwise.
 */
function chainOf(model: tfl.LayersModel): Layer[] | undefined {
  try {
    return layerChain(model, 'compact');
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
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
    if (kind === 'Flatten') {
      const inShape = inputShapeOf(layer);
      if (inShape.length > 2) flattened = true;
      continue;
    }
    const next = yield* channelConstants(layer, values, where, flattened);
    if (next === undefined) {
      throw new RangeError(
        `compact: cannot see through ${kind} '${layer.name}' ${where}; supported there: ${SUPPORTED_BETWEEN.join(', ')}`,
      );
    }
    values = next;
  }
  return { values, flattened };
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
  const plans: LayerPlan[] = [];

  for (const [i, layer] of chain.entries()) {
    const first = plans.length === 0;
    const k = byPosition.get(i);
    if (k !== undefined) {
      const w = weighted[k]!;
      const rows = k === 0 ? range(w.nIn) : inputRows(w, weighted[k - 1]!.keep);
      plans.push(weightedPlan(w, rows, first, inputShape));
      continue;
    }
    if (i < firstW || i > lastW) {
      plans.push(channelPlan(layer, null, first, inputShape));
      continue;
    }
    // between two weighted layers: slice per-channel parameters to the kept channels
    const prevK = [...byPosition.entries()].filter(([p]) => p < i).at(-1)![1];
    plans.push(channelPlan(layer, weighted[prevK]!.keep, first, inputShape));
  }

  const result = tfl.sequential({ layers: plans.map((p) => p.layer), name });
  setPlannedWeights(plans);
  return result;
}
