import type { Tensor } from '@tensorflow/tfjs-core';

/**
 * The layer classes whose kernels sparsity acts on: what the regularizer rules, the sparse
 * initialization, the pruning baselines and the sparsity metrics all walk.
 */
export type KernelLayerKind =
  | 'Dense'
  | 'Conv1D'
  | 'Conv2D'
  | 'Conv3D'
  | 'Conv2DTranspose'
  | 'DepthwiseConv2D'
  | 'SeparableConv2D';

/** Every {@link KernelLayerKind}. */
export const KERNEL_LAYER_KINDS: readonly KernelLayerKind[] = [
  'Dense',
  'Conv1D',
  'Conv2D',
  'Conv3D',
  'Conv2DTranspose',
  'DepthwiseConv2D',
  'SeparableConv2D',
];

/**
 * How the entries of a kernel are grouped — what one Bernoulli draw of the sparse
 * initialization switches on or off (paper eqs. 4.4–4.5), what group sparsity zeroes at once
 * (§2.1), what the metrics count (§4.4) — in tfjs layouts:
 * - `'entry'`: each weight on its own (eq. 4.2);
 * - `'neuron'`: a neuron's incoming weights together — a column of a Dense kernel
 *   `[nIn, nOut]`, a whole filter `[kh, kw, cin]` (one output channel) of a conv kernel;
 * - `'kernel'`: one `[kh, kw]` slice of a conv kernel `[kh, kw, cin, cout]` per
 *   `(cin, cout)` pair (the paper's "convolution kernel", §4.4); not for Dense kernels.
 *
 * `kernelGroupAxes` of `@bregman/core-prox` turns it into a kernel's reduce axes.
 */
export type SparsityGroups = 'entry' | 'neuron' | 'kernel';

/** Every {@link SparsityGroups} value. */
export const SPARSITY_GROUPS = ['entry', 'neuron', 'kernel'] as const;

/** A kernel variable of a layer, as tfjs-layers' `LayerVariable` has it. */
export interface KernelVariable {
  /** The variable's unique name (what the optimizer's and rules' names are). */
  readonly name: string;
  /** The name the layer gave it, e.g. `dense_1/kernel` (without tfjs's `_1` suffixes). */
  readonly originalName: string;
  /** Its shape. */
  readonly shape: readonly number[];
  /** Whether the optimizer trains it. */
  readonly trainable: boolean;
  /** The live tensor (never dispose it). */
  read(): Tensor;
  /** Overwrites its value. */
  write(value: Tensor): unknown;
}

/** One kernel of a model, found by {@link modelKernels}. */
export interface ModelKernel {
  /** The layer object that owns it (for identity checks, e.g. against `outputKernelLayers`). */
  readonly layer: KernelLayer;
  /** The layer's name. */
  readonly layerName: string;
  /** The layer's class. */
  readonly kind: KernelLayerKind;
  /** The kernel variable. */
  readonly variable: KernelVariable;
  /**
   * The reduce axes of the kernel's groups (`GroupL12`'s `reduceAxes`): `neuron` for one
   * output unit, `kernel` for one spatial kernel (`null` for a Dense kernel). A group is all
   * entries that share their index on the other axes.
   */
  readonly groupAxes: KernelGroupAxes;
}

/** The reduce axes of a kernel's groups, see {@link ModelKernel.groupAxes}. */
export interface KernelGroupAxes {
  /** The reduce axes of one output unit's weights (a neuron, a conv filter). */
  readonly neuron: readonly number[];
  /** The reduce axes of one spatial kernel; `null` for a Dense kernel. */
  readonly kernel: readonly number[] | null;
}

/** What {@link modelKernels} reads of a layer (tfjs-layers' `Layer`, a nested model, a wrapper). */
export interface KernelLayer {
  /** The layer's name. */
  readonly name: string;
  /** tfjs's class name, e.g. `'Dense'`, `'Conv2D'`, `'Sequential'`, `'TimeDistributed'`. */
  getClassName(): string;
  /** The layer's own variables. */
  readonly weights: readonly KernelVariable[];
  /** The layers of a nested model. */
  readonly layers?: readonly KernelLayer[];
  /** The layer a wrapper (`TimeDistributed`) wraps. */
  readonly layer?: KernelLayer;
}

/** Kernel weights by their name in the layer, with their rank and group axes. */
interface KernelLayout {
  /** The weight's name within the layer (`kernel`, `depthwise_kernel`, …). */
  weight: string;
  rank: number;
  neuron: number[];
  kernel: number[] | null;
}

// tfjs-layers' kernel layouts: Dense [nIn, nOut]; ConvND [k…, cin, cout];
// Conv2DTranspose [kh, kw, cout, cin]; depthwise [kh, kw, cin, multiplier] (each (cin, m)
// is one output channel, so its neuron is its kernel); pointwise [1, 1, cin·m, cout]
const LAYOUTS: Record<KernelLayerKind, KernelLayout[]> = {
  Dense: [{ weight: 'kernel', rank: 2, neuron: [0], kernel: null }],
  Conv1D: [{ weight: 'kernel', rank: 3, neuron: [0, 1], kernel: [0] }],
  Conv2D: [{ weight: 'kernel', rank: 4, neuron: [0, 1, 2], kernel: [0, 1] }],
  Conv3D: [{ weight: 'kernel', rank: 5, neuron: [0, 1, 2, 3], kernel: [0, 1, 2] }],
  Conv2DTranspose: [{ weight: 'kernel', rank: 4, neuron: [0, 1, 3], kernel: [0, 1] }],
  DepthwiseConv2D: [{ weight: 'depthwise_kernel', rank: 4, neuron: [0, 1], kernel: [0, 1] }],
  SeparableConv2D: [
    { weight: 'depthwise_kernel', rank: 4, neuron: [0, 1], kernel: [0, 1] },
    { weight: 'pointwise_kernel', rank: 4, neuron: [0, 1, 2], kernel: [0, 1] },
  ],
};

/**
 * The kernels of every Dense and convolution layer of `model` ({@link KERNEL_LAYER_KINDS}),
 * in the order of `model.layers`, with nested models (a `Sequential` used as a layer)
 * expanded in place and layers wrapped by `TimeDistributed` included; a layer reached twice
 * (shared) is listed once. Biases and every other variable are not kernels. A kernel of an
 * unexpected rank is an error that names the layer.
 *
 * @param context - names the caller in error messages.
 */
export function modelKernels(
  model: { readonly layers: readonly unknown[] },
  context = 'modelKernels',
): ModelKernel[] {
  if (!model || !Array.isArray(model.layers)) {
    throw new TypeError(
      `${context}: model must be a tf.LayersModel (with layers), got ${String(model)}`,
    );
  }
  const seen = new Set<KernelLayer>();
  const kernels: ModelKernel[] = [];
  const visit = (layer: KernelLayer) => {
    if (seen.has(layer)) return;
    seen.add(layer);
    if (Array.isArray(layer.layers)) {
      for (const inner of layer.layers) visit(inner);
      return;
    }
    if (layer.layer) {
      visit(layer.layer);
      return;
    }
    const kind = layer.getClassName() as KernelLayerKind;
    if (!Object.hasOwn(LAYOUTS, kind)) return;
    for (const layout of LAYOUTS[kind]) {
      const variable = layer.weights.find((w) =>
        new RegExp(`(^|/)${layout.weight}$`).test(w.originalName),
      );
      if (!variable) continue; // not built yet
      if (variable.shape.length !== layout.rank) {
        throw new Error(
          `${context}: ${kind} layer '${layer.name}' has a ${layout.weight} of shape [${variable.shape.join(', ')}], expected rank ${layout.rank}`,
        );
      }
      kernels.push({
        layer,
        layerName: layer.name,
        kind,
        variable,
        groupAxes: { neuron: layout.neuron, kernel: layout.kernel },
      });
    }
  };
  for (const layer of model.layers as KernelLayer[]) visit(layer);
  return kernels;
}

/**
 * The reduce axes of `groups` on `kernel` (`[]` for `'entry'`: every entry its own group);
 * `'kernel'` on a Dense kernel is an error that names the layer and `context`.
 */
export function kernelGroupAxes(
  kernel: ModelKernel,
  groups: SparsityGroups,
  context = 'groups',
): readonly number[] {
  if (!SPARSITY_GROUPS.includes(groups)) {
    throw new RangeError(
      `${context} must be one of ${SPARSITY_GROUPS.map((g) => `'${g}'`).join(', ')}, got ${JSON.stringify(groups)}`,
    );
  }
  if (groups === 'entry') return [];
  if (groups === 'neuron') return kernel.groupAxes.neuron;
  if (kernel.groupAxes.kernel === null) {
    throw new RangeError(
      `${context} 'kernel' needs a convolution kernel; layer '${kernel.layerName}' is ${kernel.kind} (use 'entry' or 'neuron')`,
    );
  }
  return kernel.groupAxes.kernel;
}
