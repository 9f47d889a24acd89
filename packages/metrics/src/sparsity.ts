import type { KernelLayerKind, ModelKernel } from '@bregman/core-prox';
import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { requireKernels } from './kernels.js';
import { type Probe, readOneSync } from './probe.js';

/** What {@link sparsity} reports for every kernel, Dense or convolution. */
export interface KernelSparsity {
  /** The layer's name (`layer.name`). */
  layer: string;
  /** The kernel variable's name (what regularizer rules match), e.g. `dense_Dense1/kernel`. */
  weight: string;
  /** The kernel's shape: `[nIn, nOut]` (Dense), `[kh, kw, cin, cout]` (Conv2D), …. */
  shape: number[];
  /** Non-zero entries `‖W‖₀` (a NaN entry counts as non-zero). */
  nonZeros: number;
  /** Entries of the kernel. */
  size: number;
  /** `nonZeros / size`: the paper's `N(W)` of eq. 4.2. */
  density: number;
}

/** Sparsity of a `Dense` kernel `[nIn, nOut]`; a neuron's incoming weights are a column. */
export interface DenseSparsity extends KernelSparsity {
  /** `'Dense'`. */
  kind: 'Dense';
  /** Neurons (columns) with a non-zero incoming weight vector. */
  activeNeurons: number;
  /** Neurons of the layer (`nOut`). */
  neurons: number;
}

/** The convolution layer classes (every `KernelLayerKind` of `@bregman/core-prox` but `Dense`). */
export type ConvLayerKind = Exclude<KernelLayerKind, 'Dense'>;

/**
 * Sparsity of a convolution kernel, e.g. Conv2D's `[kh, kw, cin, cout]`; a "kernel" of the
 * paper is one spatial slice `K_{i,j}` (`[kh, kw]` for Conv2D) for an (in-channel `i`,
 * out-channel `j`) pair; a depthwise kernel's slices are its filters.
 */
export interface ConvSparsity extends KernelSparsity {
  /** The layer class, e.g. `'Conv2D'`. */
  kind: ConvLayerKind;
  /** Slices `K_{i,j}` with a non-zero entry: `#{K_{i,j} ≠ 0}`. */
  nonZeroKernels: number;
  /** Slices in the layer: `cin·cout` for Conv2D. */
  kernels: number;
  /** Out-channels (filters) with a non-zero entry. */
  activeFilters: number;
  /** Out-channels of the kernel (`cout` for Conv2D). */
  filters: number;
}

/** The sparsity of a `Conv2D` kernel: {@link ConvSparsity} (the name before Conv1D, Conv3D, … counted). */
export type Conv2DSparsity = ConvSparsity;

/** One entry of {@link SparsityReport.perLayer}. */
export type LayerSparsity = DenseSparsity | ConvSparsity;

/**
 * The sparsity levels of paper §4.4 as fractions in [0, 1] (the paper prints percentages).
 * Only the kernels of `Dense` and convolution layers count (core-prox's `KERNEL_LAYER_KINDS`)
 * — the paper counts weights, not biases, BatchNorm parameters or other layers' variables.
 */
export interface SparsityReport {
  /**
   * `N_total`: non-zero entries over entries, all Dense and conv kernels together. (The
   * paper writes `N_total := N_conv + N_linear`, a sum of two percentages; what its tables
   * report is the fraction of non-zero weights, which is what this is.)
   */
  total: number;
  /** `N_linear`: non-zero entries over entries of all Dense kernels; `NaN` without Dense layers. */
  linear: number;
  /**
   * `N_conv`: non-zero `[kh, kw]` kernels over all kernels `Σ_l c_l·c_{l−1}` of the
   * convolution layers; `NaN` without them.
   */
  convKernels: number;
  /** Active neurons (non-zero kernel columns) of each Dense layer, in model order (Fig. 4). */
  activeNeurons: number[];
  /** Non-zero entries of all counted kernels. */
  nonZeros: number;
  /** Entries of all counted kernels. */
  size: number;
  /** One entry per kernel, in model order (nested models expanded in place). */
  perLayer: LayerSparsity[];
}

/**
 * The sparsity of a model's weights (paper §4.4): `N_total`, `N_linear`, `N_conv`, active
 * neurons per Dense layer, and per-layer counts. Reads the weights once (one `dataSync` of a
 * few numbers per layer, computed on the backend); leaves no tensors behind.
 *
 * Nested models (a `Sequential` used as a layer) and layers wrapped in `TimeDistributed` are
 * included. Counts are exact for kernels of fewer than 2²⁴ entries (they are summed in
 * float32).
 *
 * @param model - a built `tf.LayersModel` with at least one Dense or convolution layer.
 */
export function sparsity(model: LayersModel): SparsityReport {
  return readOneSync(sparsityProbe(requireKernels('sparsity', model)));
}

/** The numbers {@link sparsity} needs, as a probe (internal). */
export function sparsityProbe(kernels: readonly ModelKernel[]): Probe<SparsityReport> {
  const widths = kernels.map((k) => (k.kind === 'Dense' ? 2 : 3));
  return {
    length: widths.reduce((a, b) => a + b, 0),
    build: () => tf.concat(kernels.map(kernelCounts)),
    decode: (values, offset) => {
      let at = offset;
      const next = () => values[at++] as number;
      return summarize(
        kernels.map((k): LayerSparsity => {
          const shape = k.variable.shape;
          const size = shape.reduce((a, b) => a * b, 1);
          const nonZeros = next();
          const common = {
            layer: k.layerName,
            weight: k.variable.name,
            shape: [...shape],
            nonZeros,
            size,
            density: nonZeros / size,
          };
          if (k.kind === 'Dense') {
            return { kind: 'Dense', ...common, activeNeurons: next(), neurons: shape[1] ?? 0 };
          }
          const groups = (axes: readonly number[]) =>
            size / axes.reduce((n, axis) => n * (shape[axis] as number), 1);
          return {
            kind: k.kind,
            ...common,
            nonZeroKernels: next(),
            kernels: groups(k.groupAxes.kernel ?? []),
            activeFilters: next(),
            filters: groups(k.groupAxes.neuron),
          };
        }),
      );
    },
  };
}

/**
 * `[nonZeros, activeNeurons]` of a Dense kernel, `[nonZeros, nonZeroKernels, activeFilters]`
 * of a convolution kernel.
 */
function kernelCounts(kernel: ModelKernel): Tensor {
  const nonZero = tf.notEqual(kernel.variable.read(), 0);
  const count = (mask: Tensor) => tf.sum(tf.cast(mask, 'float32'));
  const counts =
    kernel.kind === 'Dense'
      ? [count(nonZero), count(tf.any(nonZero, 0))]
      : [
          count(nonZero),
          count(tf.any(nonZero, [...(kernel.groupAxes.kernel ?? [])])),
          count(tf.any(nonZero, [...kernel.groupAxes.neuron])),
        ];
  return tf.stack(counts);
}

function summarize(perLayer: LayerSparsity[]): SparsityReport {
  const dense = perLayer.filter((l) => l.kind === 'Dense');
  const conv = perLayer.filter((l): l is ConvSparsity => l.kind !== 'Dense');
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const nonZeros = sum(perLayer.map((l) => l.nonZeros));
  const size = sum(perLayer.map((l) => l.size));
  return {
    total: nonZeros / size,
    linear: sum(dense.map((l) => l.nonZeros)) / sum(dense.map((l) => l.size)),
    convKernels: sum(conv.map((l) => l.nonZeroKernels)) / sum(conv.map((l) => l.kernels)),
    activeNeurons: dense.map((l) => l.activeNeurons),
    nonZeros,
    size,
    perLayer,
  };
}
