/**
 * `compact` for functional models whose branches meet in `Add` layers (ResNets): the graph
 * path beside the chain path of `compact.ts`, with the same per-layer rules
 * (`compact-layers.ts`). Internal: `compact` / `compactAsync` are the entry points.
 *
 * @module
 */
import * as tfl from '@tensorflow/tfjs-layers';
import type { CompactOptions, CompactResult } from './compact.js';
import { depthwiseUnits } from './compact-kernels.js';
import {
  channelConstants,
  channelPlan,
  ELEMENTWISE,
  fold,
  IDENTITY,
  inputRows,
  type LayerPlan,
  neededInputs,
  POOLING,
  readWeighted,
  reportOf,
  SUPPORTED_BETWEEN,
  setPlannedWeights,
  WEIGHTED,
  type Weighted,
  weightedPlan,
} from './compact-layers.js';
import { modelCost } from './cost.js';
import { configOf, type Layer } from './layer-chain.js';
import { range } from './range.js';
import type { Reads } from './reads.js';

/** Layers that keep the channels of their (single) input: its channels are theirs. */
const PER_CHANNEL = new Set([
  'BatchNormalization',
  'Standardize',
  'ZeroPadding2D',
  'Flatten',
  ...ELEMENTWISE,
  ...POOLING,
  ...IDENTITY,
]);
/** What the graph path supports, for its errors. */
const SUPPORTED = [...WEIGHTED, 'Add (the only merge)', 'ZeroPadding2D', ...SUPPORTED_BETWEEN];
/** Where the graph path's layers are, in the per-layer rules' errors. */
const WHERE = 'in a model with branches';

/** One tensor of the model: a channel (last) axis, maybe flattened with positions. */
interface GraphTensor {
  symbolic: tfl.SymbolicTensor;
  /** Channels: the last axis, or the channels of the feature map a Flatten turned into it. */
  channels: number;
  /** Features per channel: 1, or the positions of the feature map a Flatten flattened. */
  positions: number;
  /** Per channel: its value at every position for every input, or null (varying). */
  consts: Array<number | null>;
}

/** One application of a layer: input tensors → output tensor (indices into the tensors). */
interface GraphNode {
  layer: Layer;
  kind: string;
  inputs: number[];
  output: number;
  /** For a weighted layer, its weights once read. */
  weighted?: Weighted;
}

/** The model as tensors and layer applications in topological order (input layer excluded). */
interface Graph {
  tensors: GraphTensor[];
  nodes: GraphNode[];
  input: number;
  output: number;
}

/**
 * The algorithm of `compact` for a functional model with branches: per-channel constants
 * forward, then the channels each group of linked tensors must keep (a fixpoint over the
 * weighted layers from the output back), then the same topology with fewer channels.
 */
export function* compactGraph(
  model: tfl.LayersModel,
  options: CompactOptions,
): Reads<CompactResult> {
  const graph = graphOf(model);
  const { tensors, nodes } = graph;
  const groupOf = channelGroups(graph);
  const weightedNodes = nodes.filter((n) => WEIGHTED.has(n.kind));
  if (weightedNodes.length === 0) {
    throw new RangeError(
      `compact: the model has no layer to compact (${[...WEIGHTED].join(', ')})`,
    );
  }

  // forward: per tensor and channel a constant or null, folded biases
  const outputGroup = groupOf[graph.output]!;
  const inputGroup = groupOf[graph.input]!;
  for (const node of nodes) {
    const out = tensors[node.output]!;
    const ins = node.inputs.map((i) => tensors[i]!);
    const x = ins[0]!;
    const config = configOf(node.layer);
    // the input's and the output's channels all stay: a softmax there is exact
    const pinned = groupOf[node.output] === outputGroup || groupOf[node.output] === inputGroup;
    if (WEIGHTED.has(node.kind)) {
      const w = yield* readWeighted(node.layer, model.layers.indexOf(node.layer));
      if (w.nIn !== x.channels * x.positions) {
        throw new RangeError(
          `compact: '${node.layer.name}' has ${w.nIn} inputs but its input has ${x.channels} channels × ${x.positions} positions`,
        );
      }
      w.prevChannels = x.channels;
      w.positions = x.positions;
      w.inConst = range(w.nIn).map((f) => x.consts[f % x.channels] ?? null);
      // a softmax couples the units: only where none is removed
      const softmax = w.activation === 'softmax';
      yield* fold(w, softmax && pinned);
      out.consts = softmax ? out.consts : [...w.outConst];
      node.weighted = w;
    } else if (node.kind === 'Add') {
      out.consts = range(out.channels).map((c) =>
        ins.every((t) => t.consts[c] !== null)
          ? ins.reduce((sum, t) => sum + t.consts[c]!, 0)
          : null,
      );
    } else if (node.kind === 'ZeroPadding2D') {
      // the border is 0: only a constant 0 stays a constant
      out.consts = x.consts.map((v) => (v === 0 ? 0 : null));
    } else if (node.kind === 'Flatten') {
      out.consts = [...x.consts];
    } else if (node.kind === 'Activation' && config.activation === 'softmax' && pinned) {
      // varying: out.consts stays null
    } else {
      out.consts = (yield* channelConstants(node.layer, x.consts, WHERE, x.positions > 1))!;
    }
  }

  // backward: the channels each group must keep, until nothing changes
  const needed = new Map<number, Uint8Array>();
  for (const [t, g] of groupOf.entries()) {
    if (!needed.has(g)) needed.set(g, new Uint8Array(tensors[t]!.channels));
  }
  needed.get(inputGroup)!.fill(1);
  needed.get(outputGroup)!.fill(1);
  for (let changed = true; changed; ) {
    changed = false;
    for (const node of [...weightedNodes].reverse()) {
      const w = node.weighted!;
      const keep = needed.get(groupOf[node.output]!)!;
      const need = needed.get(groupOf[node.inputs[0]!]!)!;
      if (w.depthMultiplier !== null) {
        // a depthwise layer keeps the units of its kept inputs (and, below, the converse)
        const inputs = range(w.nIn).filter((c) => need[c]);
        for (const o of depthwiseUnits(inputs, w.depthMultiplier)) {
          if (keep[o]) continue;
          keep[o] = 1;
          changed = true;
        }
      }
      w.keep = range(w.nOut).filter((o) => keep[o]);
      for (const [f, n] of neededInputs(w).entries()) {
        const c = f % w.prevChannels;
        if (!n || need[c]) continue;
        need[c] = 1;
        changed = true;
      }
    }
    if (changed) continue;
    // a tensor needs one channel at least: keep channel 0 of an empty group (all it reads
    // of it is zero or folded) and go on
    for (const need of needed.values()) {
      if (!need.includes(1)) {
        need[0] = 1;
        changed = true;
      }
    }
  }
  const keepOf = (t: number) => {
    const need = needed.get(groupOf[t]!)!;
    return range(need.length).filter((c) => need[c]);
  };

  const compactModel = rebuild(graph, keepOf, options.name ?? `${model.name}_compact`);
  const byLayer = new Map(weightedNodes.map((n) => [n.layer, n.weighted!]));
  return {
    model: compactModel,
    before: modelCost(model),
    after: modelCost(compactModel),
    layers: model.layers.flatMap((l) => {
      const w = byLayer.get(l);
      return w ? [reportOf(w)] : [];
    }),
  };
}

/** The model's tensors and layer applications, checked for what the graph path supports. */
function graphOf(model: tfl.LayersModel): Graph {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new RangeError(
      `compact: the model must have one input and one output, got ${model.inputs.length} and ${model.outputs.length}`,
    );
  }
  for (const layer of model.layers) {
    if ((layer as { layers?: unknown }).layers !== undefined) {
      throw new RangeError(
        `compact: layer '${layer.name}' is a nested model (${layer.getClassName()}); compact supports a model of layers only: flatten it into one model first`,
      );
    }
  }
  const graph: Graph = { tensors: [], nodes: [], input: -1, output: -1 };
  const index = new Map<tfl.SymbolicTensor, number>();
  const applied = new Set<Layer>();
  const visit = (symbolic: tfl.SymbolicTensor): number => {
    const known = index.get(symbolic);
    if (known !== undefined) return known;
    const layer = symbolic.sourceLayer as Layer;
    const kind = layer.getClassName();
    let node: GraphNode | undefined;
    if (kind === 'InputLayer') {
      if (symbolic !== model.inputs[0]) {
        throw new RangeError(`compact: input '${layer.name}' is not the model's input`);
      }
    } else {
      const inbound = layer.inboundNodes[symbolic.nodeIndex]!;
      if (applied.has(layer)) {
        throw new RangeError(
          `compact: layer '${layer.name}' (${kind}) is applied more than once; compact supports each layer once`,
        );
      }
      applied.add(layer);
      checkKind(layer, kind, inbound.inputTensors.length, inbound.outputTensors.length);
      node = { layer, kind, inputs: inbound.inputTensors.map(visit), output: -1 };
    }
    const i = graph.tensors.length;
    graph.tensors.push({ symbolic, channels: 0, positions: 1, consts: [] });
    index.set(symbolic, i);
    if (node) {
      node.output = i;
      graph.nodes.push(node);
    } else {
      graph.input = i;
    }
    return i;
  };
  graph.output = visit(model.outputs[0]!);
  if (graph.input < 0) throw new RangeError("compact: the model's output does not use its input");
  return graph;
}

/** Throws for a layer the graph path cannot compact through exactly. */
function checkKind(layer: Layer, kind: string, inputs: number, outputs: number): void {
  const config = configOf(layer);
  if (!WEIGHTED.has(kind) && !PER_CHANNEL.has(kind) && kind !== 'Add') {
    throw new RangeError(
      `compact: cannot compact through ${kind} '${layer.name}' ${WHERE}; supported there: ${SUPPORTED.join(', ')}`,
    );
  }
  if ((kind !== 'Add' && inputs !== 1) || outputs !== 1) {
    throw new RangeError(
      `compact: ${kind} '${layer.name}' has ${inputs} inputs and ${outputs} outputs; compact supports one of each (several inputs for Add)`,
    );
  }
  if ((kind === 'ZeroPadding2D' || kind === 'Flatten') && config.dataFormat === 'channelsFirst') {
    throw new RangeError(
      `compact: ${kind} '${layer.name}' is channelsFirst; only channelsLast is supported`,
    );
  }
}

/**
 * Channels and positions of every tensor, and its group: the tensors that share their
 * channels (linked by a per-channel layer or an `Add`) get one representative, by
 * union–find.
 */
function channelGroups({ tensors, nodes, input }: Graph): number[] {
  const parent = range(tensors.length);
  const find = (t: number): number => {
    let r = t;
    while (parent[r] !== r) r = parent[r]!;
    while (parent[t] !== r) [t, parent[t]] = [parent[t]!, r];
    return r;
  };
  const shapeOf = (t: GraphTensor) => t.symbolic.shape;
  const lastDim = (t: GraphTensor) => shapeOf(t).at(-1) as number;
  const x0 = tensors[input]!;
  x0.channels = lastDim(x0);
  x0.consts = new Array(x0.channels).fill(null);
  for (const node of nodes) {
    const out = tensors[node.output]!;
    const x = tensors[node.inputs[0]!]!;
    const name = `${node.kind} '${node.layer.name}'`;
    if (WEIGHTED.has(node.kind)) {
      out.channels = lastDim(out);
    } else {
      out.channels = x.channels;
      out.positions = x.positions;
      if (node.kind === 'Flatten') {
        out.positions *= shapeOf(x)
          .slice(1, -1)
          .reduce<number>((a, d) => a * (d ?? Number.NaN), 1);
      } else if (node.kind.startsWith('Global')) {
        out.positions = 1;
      }
      for (const i of node.inputs) {
        const t = tensors[i]!;
        if (node.kind === 'Add' && String(shapeOf(t)) !== String(shapeOf(out))) {
          throw new RangeError(
            `compact: ${name} adds shapes [${shapeOf(t).join(', ')}] and [${shapeOf(out).join(', ')}]; compact supports an Add of equal shapes only`,
          );
        }
        const positions = node.kind === 'Flatten' ? t.positions : out.positions;
        if (t.channels !== out.channels || t.positions !== positions) {
          throw new RangeError(
            `compact: ${name} links ${t.channels} channels × ${t.positions} positions with ${out.channels} × ${out.positions}`,
          );
        }
        parent[find(i)] = find(node.output);
      }
    }
    if (lastDim(out) !== out.channels * out.positions) {
      throw new RangeError(
        `compact: ${name}'s output has ${lastDim(out)} features, not ${out.channels} channels × ${out.positions} positions`,
      );
    }
    out.consts = new Array(out.channels).fill(null);
  }
  return tensors.map((_, t) => find(t));
}

/** The compact model: every layer cloned with the kept channels, applied as before. */
function rebuild(
  { tensors, nodes, input, output }: Graph,
  keepOf: (tensor: number) => number[],
  name: string,
): tfl.LayersModel {
  const x = tensors[input]!.symbolic;
  const symbolic = new Map<number, tfl.SymbolicTensor>([
    [input, tfl.input({ batchShape: x.shape, dtype: x.dtype, name: x.sourceLayer.name })],
  ]);
  const plans: LayerPlan[] = [];
  for (const node of nodes) {
    const plan = node.weighted
      ? weightedPlan(node.weighted, inputRows(node.weighted, keepOf(node.inputs[0]!)))
      : channelPlan(node.layer, keepOf(node.output));
    const args = node.inputs.map((i) => symbolic.get(i)!);
    const out = plan.layer.apply(node.kind === 'Add' ? args : args[0]!) as tfl.SymbolicTensor;
    symbolic.set(node.output, out);
    plans.push(plan);
  }
  const result = tfl.model({
    inputs: symbolic.get(input)!,
    outputs: symbolic.get(output)!,
    name,
  });
  setPlannedWeights(plans);
  return result;
}
