import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { configOf, type Layer, layerChain } from './layer-chain.js';
import { range } from './range.js';
import { computed, type Reads, readSync } from './reads.js';

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
 * The analysis that {@link SparseAwareStep} runs on its variables each step, on plain values: `kernels[k]`, `biases[k]` are the
 * values of the k-th weighted stage's variables (read synchronously on the backend).
 */
export function liveUnits(
  plan: StagePlan,
  kernels: Float32Array[],
  biases: Array<Float32Array | null>,
): LiveLayer[] {
  const weighted = weightedStages(plan);
  const kernelTensors = weighted.map((s, k) => tf.tensor(kernels[k]!, s.kernel.shape));
  const biasTensors = weighted.map((_, k) => (biases[k] ? tf.tensor1d(biases[k]!) : null));
  try {
    return readSync(liveAnalysis(plan, kernelTensors, biasTensors)).live;
  } finally {
    tf.dispose([...kernelTensors, ...biasTensors.filter((b): b is tf.Tensor1D => b !== null)]);
  }
}

/** What one step's analysis finds (see {@link liveAnalysis}). */
export interface LiveAnalysis {
  /** The units to compute, per weighted stage. */
  live: LiveLayer[];
  /**
   * Per weighted stage and output unit: 1 when one of the stage's gradient-only inputs has a
   * non-zero weight into it (the columns its gradient-map probe needs).
   */
  probed: Uint8Array[];
  /**
   * Per weighted stage and output unit: its bias plus the contributions `c·Σ_taps W` of the
   * inputs that are not read as maps (the whole pre-activation of a constant unit).
   */
  constantParts: Float32Array[];
}

/** The Dense / Conv2D stages of a plan. */
export function weightedStages(plan: StagePlan): WeightedStage[] {
  return plan.stages.filter((s): s is WeightedStage => s.kind === 'weighted');
}

/**
 * Which units of each Dense / Conv2D layer a step must compute to give exactly the dense
 * step's loss and gradients ({@link liveUnits}), from the kernels and biases as tensors (the
 * variables themselves). Whatever looks at every kernel entry runs on the backend — which
 * inputs have a non-zero weight, the units each input set reaches, the constant inputs'
 * contributions `Σ c·Σ_taps W` — and only per-unit vectors are read: one read for the
 * biases and input rows, then one per layer.
 */
export function* liveAnalysis(
  plan: StagePlan,
  kernels: tf.Tensor[],
  biases: Array<tf.Tensor | null>,
): Reads<LiveAnalysis> {
  const weighted = weightedStages(plan);
  // per stage, [nIn, nOut]: max_taps |W[·, i, o]| (> 0 exactly where some tap is non-zero:
  // a sum of such values with 0/1 weights is > 0 exactly where one of them is), Σ_taps W
  const slices = weighted.map((s, k) =>
    tf.tidy(() => {
      const w = tf.reshape(kernels[k]!, [s.spatial, s.nIn, s.nOut]);
      const magnitude = tf.abs(w);
      return {
        reach: s.spatial === 1 ? tf.reshape(magnitude, [s.nIn, s.nOut]) : tf.max(magnitude, 0),
        sums: s.spatial === 1 ? tf.reshape(w, [s.nIn, s.nOut]) : tf.sum(w, 0),
      };
    }),
  );
  try {
    // per stage and input feature: whether it has a non-zero weight; and the biases
    const firstRead = yield* computed(() =>
      tf.concat([
        ...slices.map((s) => tf.max(s.reach, 1)),
        ...weighted.map((s, k) => tf.reshape(biases[k] ?? tf.zeros([s.nOut]), [-1])),
      ]),
    );
    let rowAt = 0;
    let biasAt = weighted.reduce((n, s) => n + s.nIn, 0);
    const live: LiveLayer[] = [];
    const probed: Uint8Array[] = [];
    const constantParts: Float32Array[] = [];
    // per unit of the previous weighted layer: its constant value (null: varying)
    let previous: Array<number | null> | null = null;
    let previousFlat: boolean[] = [];
    let channelsBefore = 0;
    for (const [k, stage] of weighted.entries()) {
      const { nIn, nOut } = stage;
      const rowNonZero = firstRead.subarray(rowAt, rowAt + nIn);
      const bias = firstRead.subarray(biasAt, biasAt + nOut);
      rowAt += nIn;
      biasAt += nOut;
      const layer: LiveLayer = {
        inputs: [],
        gradientInputs: [],
        constantInputs: [],
        constantValues: [],
        outputs: [],
        gradientOutputs: [],
      };
      const readsAsMap = (c: number | null) => c === null || (!stage.foldsConstants && c !== 0);
      if (previous) {
        const need = new Uint8Array(channelsBefore); // Need per unit of the previous layer
        for (let f = 0; f < nIn; f++) {
          const u = f % channelsBefore;
          const c = previous[u]!;
          if (need[u] === Need.Map) continue;
          if (readsAsMap(c)) {
            need[u] = Need.Map;
            continue;
          }
          if (previousFlat[u] || need[u] === Need.Gradient) continue;
          if (rowNonZero[f]) need[u] = stage.probesConstants ? Need.Gradient : Need.Map;
        }
        const before = live[k - 1]!;
        before.outputs = range(channelsBefore).filter((u) => need[u] === Need.Map);
        before.gradientOutputs = range(channelsBefore).filter((u) => need[u] === Need.Gradient);
        for (let f = 0; f < nIn; f++) {
          const u = f % channelsBefore;
          if (need[u] === Need.Map) layer.inputs.push(f);
          else if (need[u] === Need.Gradient) layer.gradientInputs.push(f);
          else if (previous[u] !== 0) {
            layer.constantInputs.push(f);
            layer.constantValues.push(previous[u]!);
          }
        }
      } else {
        layer.inputs = range(nIn);
      }
      live.push(layer);
      // per input: read as a map (varying), probed for its gradient, or its constant value
      // per input [varying, gradient-only, constant value]
      const columns = new Float32Array(3 * nIn);
      for (let f = 0; f < nIn; f++) {
        const c = previous ? (previous[f % channelsBefore] ?? null) : null;
        if (readsAsMap(c)) columns[3 * f] = 1;
        else columns[3 * f + 2] = c!;
      }
      for (const f of layer.gradientInputs) columns[3 * f + 1] = 1;
      // per unit [whether varying inputs reach it, whether gradient-only ones do] (> 0), and
      // Σ c·Σ_taps W; as Wᵀ·columns, which packs the small operand in matrix products
      const { reach, sums } = slices[k]!;
      const perUnit = yield* computed(() => {
        const inputs = tf.tensor2d(columns, [nIn, 3]);
        return tf.concat(
          [
            tf.matMul(reach, tf.slice(inputs, [0, 0], [nIn, 2]), true),
            tf.matMul(sums, tf.slice(inputs, [0, 2], [nIn, 1]), true),
          ],
          1,
        );
      });
      probed.push(Uint8Array.from({ length: nOut }, (_, o) => (perUnit[3 * o + 1]! > 0 ? 1 : 0)));
      const z = Float32Array.from(bias, (b, o) => b + perUnit[3 * o + 2]!);
      constantParts.push(z);
      const activated = stage.activateValues
        ? stage.activateValues(z)
        : yield* computed(() => stage.activate(tf.tensor1d(z)));
      previous = Array.from({ length: nOut }, (_, o) =>
        perUnit[3 * o]! > 0 ? null : activated[o]!,
      );
      previousFlat = Array.from({ length: nOut }, (_, o) => stage.flatAt(z[o]!));
      channelsBefore = nOut;
    }
    live.at(-1)!.outputs = range(channelsBefore);
    return { live, probed, constantParts };
  } finally {
    tf.dispose(slices.flatMap((s) => [s.reach, s.sums]));
  }
}
