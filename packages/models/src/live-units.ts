import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { kernelSlices } from './kernel-slices.js';
import { configOf, type Layer, layerChain } from './layer-chain.js';
import { range } from './range.js';

/** A Dense or Conv2D layer of a chain, as the sparse-aware step reads it. */
export interface WeightedStage {
  /** Always `'weighted'`. */
  kind: 'weighted';
  /** The Dense / Conv2D layer. */
  layer: Layer;
  /** The kernel variable, `[...spatial, nIn, nOut]`. */
  kernel: tf.Variable;
  /** The bias variable, or null (`useBias: false`). */
  bias: tf.Variable | null;
  /** Kernel taps per (input, output) pair: `kh·kw` for Conv2D, 1 for Dense. */
  spatial: number;
  /** Input features (channels for Conv2D). */
  nIn: number;
  /** Output units (channels for Conv2D). */
  nOut: number;
  /** Output positions per example (`oh·ow`; 1 for Dense). */
  positions: number;
  /**
   * Whether a constant input map gives every output position the same contribution: true
   * for Dense and for `'valid'` convolutions; `'same'` ones see zeros at the border.
   */
  foldsConstants: boolean;
  /**
   * Whether a constant input's gradient map can be taken without computing the input as a
   * varying map ({@link liveUnits}' gradient units): folding, and no dilation.
   */
  probesConstants: boolean;
  /** Its activation, applied to a tensor. */
  activate: (z: tf.Tensor) => tf.Tensor;
  /** Whether the activation's derivative is 0 at `z` (only ReLU's is, for `z ≤ 0`). */
  flatAt: (z: number) => boolean;
  /**
   * The activation of float32 values in JavaScript, for ReLU and linear layers (exactly what
   * the tensor op gives); null for the others, which {@link liveUnits} runs as a tensor op.
   */
  activateValues: ((z: Float32Array) => Float32Array) | null;
}

/** A layer between two weighted ones that keeps a constant channel constant. */
export interface PassStage {
  /** `'pool'` (max / average pooling) or `'flatten'`. */
  kind: 'pool' | 'flatten';
  /** The layer. */
  layer: Layer;
}

/** The layers of a chain the sparse-aware step can run, in order. */
export interface StagePlan {
  /** Layers before the first Dense / Conv2D (no trainable weights), applied to the input. */
  preprocess: Layer[];
  /** Dense / Conv2D layers and the pooling and Flatten layers between them. */
  stages: Array<WeightedStage | PassStage>;
}

const POOLING = new Set(['MaxPooling2D', 'AveragePooling2D', 'MaxPooling1D', 'AveragePooling1D']);

function weightOf(layer: Layer, suffix: string): tf.Variable | null {
  const w = layer.weights.find((v) => v.originalName.split('/').at(-1) === suffix);
  return w ? (w.read() as tf.Variable) : null;
}

/**
 * Reads a model into the stages of the sparse-aware step: a single chain whose layers are,
 * from the first Dense / Conv2D on, Dense and Conv2D layers (channels-last, their activation
 * in the layer) with max / average pooling and Flatten between them, ending with a Dense or
 * Conv2D layer. Anything else is an error naming the layer.
 */
export function stagePlan(model: LayersModel, context: string): StagePlan {
  const chain = layerChain(model, context);
  const first = chain.findIndex((l) => ['Dense', 'Conv2D'].includes(l.getClassName()));
  if (first < 0) throw new RangeError(`${context}: the model has no Dense or Conv2D layer`);
  const preprocess = chain.slice(0, first);
  for (const layer of preprocess) {
    if (layer.trainableWeights.length > 0) {
      throw new RangeError(
        `${context}: '${layer.name}' (${layer.getClassName()}) before the first Dense / Conv2D layer has trainable weights; only weight-free preprocessing (Standardize, Flatten, …) may come first`,
      );
    }
  }
  const stages: Array<WeightedStage | PassStage> = [];
  for (const layer of chain.slice(first)) {
    const kind = layer.getClassName();
    const config = configOf(layer);
    if (kind === 'Dense' || kind === 'Conv2D') {
      if (kind === 'Conv2D' && config.dataFormat === 'channelsFirst') {
        throw new RangeError(
          `${context}: Conv2D '${layer.name}' is channelsFirst; only channelsLast is supported`,
        );
      }
      const kernel = weightOf(layer, 'kernel')!;
      const shape = kernel.shape;
      const out = layer.outputShape as Array<number | null>;
      const activation = (layer as unknown as { activation: { apply(x: tf.Tensor): tf.Tensor } })
        .activation;
      const name = String(config.activation ?? 'linear');
      stages.push({
        kind: 'weighted',
        layer,
        kernel,
        bias: weightOf(layer, 'bias'),
        spatial: shape.slice(0, -2).reduce((a, d) => a * d, 1),
        nIn: shape[shape.length - 2]!,
        nOut: shape[shape.length - 1]!,
        positions: out.slice(1, -1).reduce<number>((a, d) => a * (d ?? 1), 1),
        foldsConstants: kind === 'Dense' || config.padding === 'valid',
        probesConstants:
          kind === 'Dense' ||
          (config.padding === 'valid' && [config.dilationRate ?? 1].flat().every((d) => d === 1)),
        activate: (z) => activation.apply(z),
        flatAt: name === 'relu' ? (z) => !(z > 0) : () => false,
        activateValues:
          name === 'relu'
            ? (z) => z.map((v) => Math.max(v, 0)) // NaN stays NaN, as in tfjs
            : name === 'linear'
              ? (z) => z
              : null,
      });
      continue;
    }
    if (POOLING.has(kind) || kind === 'Flatten') {
      if (config.dataFormat === 'channelsFirst') {
        throw new RangeError(
          `${context}: ${kind} '${layer.name}' is channelsFirst; only channelsLast is supported`,
        );
      }
      stages.push({ kind: kind === 'Flatten' ? 'flatten' : 'pool', layer });
      continue;
    }
    throw new RangeError(
      `${context}: cannot run '${layer.name}' (${kind}) on the live units; between and after the Dense / Conv2D layers only MaxPooling, AveragePooling and Flatten are supported`,
    );
  }
  if (stages.at(-1)!.kind !== 'weighted') {
    throw new RangeError(`${context}: the model must end with its last Dense / Conv2D layer`);
  }
  return { preprocess, stages };
}

/** The units of one weighted layer that one sparse-aware step computes. */
export interface LiveLayer {
  /** Varying input features, computed as maps (in the order of the computed tensor). */
  inputs: number[];
  /**
   * Constant input features whose gradient map is needed (their own incoming zero weights
   * get a non-zero gradient): computed as maps, but read only through their constant value
   * in the forward pass; only the input gradient flows back to them.
   */
  gradientInputs: number[];
  /** Constant input features with a non-zero value that need no gradient. */
  constantInputs: number[];
  /** Their constant values, in the same order. */
  constantValues: number[];
  /** Output units computed as varying maps (sorted; every unit of the last layer). */
  outputs: number[];
  /** Output units computed only for their gradient map (constant values; sorted). */
  gradientOutputs: number[];
}

/** How the next layer needs a unit of the previous one. */
enum Need {
  /** A constant that contributes `c·Σ_taps W` (or nothing, when c = 0). */
  Constant = 0,
  /** A varying map (or one a `'same'` convolution must see as a map). */
  Map = 1,
  /** A constant whose gradient map is needed. */
  Gradient = 2,
}

/**
 * Which units of each Dense / Conv2D layer a step must compute to give exactly the dense
 * step's loss and gradients (issue 22 of the project; the same constant analysis as
 * {@link compact}):
 *
 * - a unit with no non-zero weight from a varying input outputs a constant `σ(z)` (its
 *   bias plus the constant inputs' contributions); through pooling it stays constant;
 * - the next layer takes a constant unit's contribution `c·Σ_taps W` as a bias-like term;
 *   its weights' gradient is then `c·Σ_positions g` (exact for Dense layers and `'valid'`
 *   convolutions; a `'same'` convolution reads non-zero constants as maps);
 * - a constant unit whose gradient map can be non-zero — `σ'(z) ≠ 0` and a non-zero outgoing
 *   weight — is still computed, for its gradient only: its zero incoming weights from
 *   varying inputs get a non-zero gradient, which is how Bregman training grows units.
 *
 * `kernels[k]`, `biases[k]`: the values of the k-th weighted stage's variables.
 */
export function liveUnits(
  plan: StagePlan,
  kernels: Float32Array[],
  biases: Array<Float32Array | null>,
): LiveLayer[] {
  const weighted = plan.stages.filter((s): s is WeightedStage => s.kind === 'weighted');
  const result: LiveLayer[] = [];
  // per unit of the previous weighted layer: its constant value (null: varying)
  let previous: Array<number | null> | null = null;
  let previousFlat: boolean[] = [];
  let channelsBefore = 0;
  for (const [k, stage] of weighted.entries()) {
    const kernel = kernels[k]!;
    const { nIn, nOut, spatial } = stage;
    // which inputs feed which outputs, and Σ_taps W per (input, output)
    const { sums: tapSum, nonZero } = kernelSlices(kernel, spatial, nIn, nOut);
    const live: LiveLayer = {
      inputs: [],
      gradientInputs: [],
      constantInputs: [],
      constantValues: [],
      outputs: [],
      gradientOutputs: [],
    };
    const inputValue = (f: number) => (previous ? (previous[f % channelsBefore] ?? null) : null);
    if (previous) {
      const need = new Uint8Array(channelsBefore); // Need per unit of the previous layer
      for (let f = 0; f < nIn; f++) {
        const u = f % channelsBefore;
        const c = previous[u]!;
        if (need[u] === Need.Map) continue;
        if (c === null || (!stage.foldsConstants && c !== 0)) {
          need[u] = Need.Map;
          continue;
        }
        if (previousFlat[u] || need[u] === Need.Gradient) continue;
        for (let o = 0; o < nOut; o++) {
          if (nonZero[f * nOut + o]) {
            need[u] = stage.probesConstants ? Need.Gradient : Need.Map;
            break;
          }
        }
      }
      const before = result[k - 1]!;
      before.outputs = range(channelsBefore).filter((u) => need[u] === Need.Map);
      before.gradientOutputs = range(channelsBefore).filter((u) => need[u] === Need.Gradient);
      for (let f = 0; f < nIn; f++) {
        const u = f % channelsBefore;
        if (need[u] === Need.Map) live.inputs.push(f);
        else if (need[u] === Need.Gradient) live.gradientInputs.push(f);
        else if (previous[u] !== 0) {
          live.constantInputs.push(f);
          live.constantValues.push(previous[u]!);
        }
      }
    } else {
      live.inputs = range(nIn);
    }
    result.push(live);
    // this layer's units: constant or varying, and their pre-activations
    const z = new Float64Array(nOut);
    const bias = biases[k];
    if (bias) z.set(bias);
    const varying = new Uint8Array(nOut);
    for (let f = 0; f < nIn; f++) {
      const c = inputValue(f);
      for (let o = 0; o < nOut; o++) {
        const i = f * nOut + o;
        if (!nonZero[i]) continue;
        if (c === null || (!stage.foldsConstants && c !== 0)) varying[o] = 1;
        else z[o]! += c * tapSum[i]!;
      }
    }
    const activated = constantActivations(stage, z);
    previous = Array.from({ length: nOut }, (_, o) => (varying[o] ? null : activated[o]!));
    previousFlat = Array.from({ length: nOut }, (_, o) => stage.flatAt(z[o]!));
    channelsBefore = nOut;
  }
  result.at(-1)!.outputs = range(channelsBefore);
  return result;
}

/**
 * `σ(z)` of a stage's activation for constant pre-activations, in float32 as in the model:
 * in JavaScript for ReLU and linear layers (no read from the backend in the training step);
 * else through the activation's tensor op and a synchronous read.
 */
function constantActivations(stage: WeightedStage, z: Float64Array): Float32Array {
  const values = Float32Array.from(z);
  if (stage.activateValues) return stage.activateValues(values);
  return tf.tidy(() => stage.activate(tf.tensor1d(values)).dataSync() as Float32Array);
}
