import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { type KernelRef, requireKernels } from './kernels.js';
import { type Probe, readOneSync } from './probe.js';

/** What {@link sparsity} reports for every kernel, Dense or Conv2D. */
export interface KernelSparsity {
  /** The layer's name (`layer.name`). */
  layer: string;
  /** The kernel variable's name (what regularizer rules match), e.g. `dense_Dense1/kernel`. */
  weight: string;
  /** The kernel's shape: `[nIn, nOut]` (Dense) or `[kh, kw, cin, cout]` (Conv2D). */
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

/**
 * Sparsity of a `Conv2D` kernel `[kh, kw, cin, cout]`; a "kernel" of the paper is one
 * `[kh, kw]` slice `K_{i,j}` for an (in-channel `i`, out-channel `j`) pair.
 */
export interface Conv2DSparsity extends KernelSparsity {
  /** `'Conv2D'`. */
  kind: 'Conv2D';
  /** Slices `K_{i,j}` with a non-zero entry: `#{K_{i,j} ≠ 0}`. */
  nonZeroKernels: number;
  /** Slices in the layer: `cin·cout`. */
  kernels: number;
  /** Out-channels (filters) with a non-zero entry. */
  activeFilters: number;
  /** Out-channels of the layer (`cout`). */
  filters: number;
}

/** One entry of {@link SparsityReport.perLayer}. */
export type LayerSparsity = DenseSparsity | Conv2DSparsity;

/**
 * The sparsity levels of paper §4.4 as fractions in [0, 1] (the paper prints percentages).
 * Only the kernels of `Dense` and `Conv2D` layers count — the paper counts weights, not
 * biases, BatchNorm parameters or other layers' variables.
 */
export interface SparsityReport {
  /**
   * `N_total`: non-zero entries over entries, all Dense and Conv2D kernels together. (The
   * paper writes `N_total := N_conv + N_linear`, a sum of two percentages; what its tables
   * report is the fraction of non-zero weights, which is what this is.)
   */
  total: number;
  /** `N_linear`: non-zero entries over entries of all Dense kernels; `NaN` without Dense layers. */
  linear: number;
  /**
   * `N_conv`: non-zero `[kh, kw]` kernels over all kernels `Σ_l c_l·c_{l−1}` of the Conv2D
   * layers; `NaN` without Conv2D layers.
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
 * @param model - a built `tf.LayersModel` with at least one Dense or Conv2D layer.
 */
export function sparsity(model: LayersModel): SparsityReport {
  return readOneSync(sparsityProbe(requireKernels('sparsity', model)));
}

/** The numbers {@link sparsity} needs, as a probe (internal). */
export function sparsityProbe(kernels: readonly KernelRef[]): Probe<SparsityReport> {
  const widths = kernels.map((k) => (k.kind === 'Dense' ? 2 : 3));
  return {
    length: widths.reduce((a, b) => a + b, 0),
    build: () => tf.concat(kernels.map(kernelCounts)),
    decode: (values, offset) => {
      let at = offset;
      const next = () => values[at++] as number;
      return summarize(
        kernels.map((k): LayerSparsity => {
          const size = k.shape.reduce((a, b) => a * b, 1);
          const nonZeros = next();
          const common = {
            layer: k.layer,
            weight: k.name,
            shape: [...k.shape],
            nonZeros,
            size,
            density: nonZeros / size,
          };
          if (k.kind === 'Dense') {
            return { kind: 'Dense', ...common, activeNeurons: next(), neurons: k.shape[1] ?? 0 };
          }
          const [, , cin = 0, cout = 0] = k.shape;
          return {
            kind: 'Conv2D',
            ...common,
            nonZeroKernels: next(),
            kernels: cin * cout,
            activeFilters: next(),
            filters: cout,
          };
        }),
      );
    },
  };
}

/**
 * `[nonZeros, activeNeurons]` of a Dense kernel, `[nonZeros, nonZeroKernels, activeFilters]`
 * of a Conv2D kernel.
 */
function kernelCounts(kernel: KernelRef): Tensor {
  const nonZero = tf.notEqual(kernel.read(), 0);
  const count = (mask: Tensor) => tf.sum(tf.cast(mask, 'float32'));
  const counts =
    kernel.kind === 'Dense'
      ? [count(nonZero), count(tf.any(nonZero, 0))]
      : [count(nonZero), count(tf.any(nonZero, [0, 1])), count(tf.any(nonZero, [0, 1, 2]))];
  return tf.stack(counts);
}

function summarize(perLayer: LayerSparsity[]): SparsityReport {
  const dense = perLayer.filter((l) => l.kind === 'Dense');
  const conv = perLayer.filter((l) => l.kind === 'Conv2D');
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
