import type { Variable } from '@tensorflow/tfjs-core';

/** What is compared or ranked: single entries, or whole neurons / conv kernels. */
export type PruningUnit = 'weights' | 'neurons' | 'kernels';

/** Per layer kind, whether it is handled by whole groups (see {@link GroupSelection}). */
export interface GroupsByLayer {
  /** Dense kernels `[nIn, nOut]` by whole neurons: a column, a neuron's incoming weights. */
  dense?: boolean;
  /**
   * Conv2D kernels `[kh, kw, cin, cout]` by whole kernels: the `[kh, kw]` slice of one
   * `(cin, cout)` pair (paper §4.4).
   */
  conv?: boolean;
}

/**
 * Which layer kinds are handled by whole groups instead of entry by entry: `true` is
 * `{dense: true, conv: true}` (neurons of Dense layers, kernels of Conv2D layers); `false` or
 * absent: entry by entry everywhere; or per kind, {@link GroupsByLayer}.
 */
export type GroupSelection = boolean | GroupsByLayer;

/** One kernel of a model, with how it is grouped. */
export interface ModelKernel {
  /** The layer's name. */
  layer: string;
  /** The kernel variable (the layer's own: read it, never dispose it). */
  variable: Variable;
  /** `'weights'`, or `'neurons'` (Dense) / `'kernels'` (Conv2D) in group mode. */
  unit: PruningUnit;
  /** The axes one group spans (`[0]` neurons, `[0, 1]` kernels); empty for `'weights'`. */
  reduceAxes: number[];
}

/** The part of a tfjs layer read here. */
interface LayerLike {
  name: string;
  getClassName(): string;
  trainableWeights: Array<{ originalName: string; read(): unknown }>;
  layers?: LayerLike[];
}

/**
 * The kernels of every `Dense` and `Conv2D` layer of a model (nested models included), in
 * layer order. Biases, BatchNorm and other layers are never touched: the paper's sparsity
 * counts (N_linear, N_conv, §4.4) are about kernels.
 */
export function modelKernels(
  model: { layers: readonly unknown[] },
  groups: GroupSelection = false,
  owner = 'modelKernels',
): ModelKernel[] {
  if (!model || !Array.isArray(model.layers)) {
    throw new TypeError(`${owner}: model must be a tf.LayersModel (with layers), got ${model}`);
  }
  const byGroup = checkGroups(owner, groups);
  const kernels: ModelKernel[] = [];
  const visit = (layer: LayerLike) => {
    if (layer.layers) {
      for (const inner of layer.layers) visit(inner);
      return;
    }
    const kind = layer.getClassName();
    if (kind !== 'Dense' && kind !== 'Conv2D') return;
    const grouped = kind === 'Dense' ? byGroup.dense : byGroup.conv;
    for (const weight of layer.trainableWeights) {
      if (!/(^|\/)kernel$/.test(weight.originalName)) continue;
      kernels.push({
        layer: layer.name,
        variable: weight.read() as Variable,
        unit: grouped ? (kind === 'Dense' ? 'neurons' : 'kernels') : 'weights',
        reduceAxes: grouped ? (kind === 'Dense' ? [0] : [0, 1]) : [],
      });
    }
  };
  for (const layer of model.layers as LayerLike[]) visit(layer);
  if (kernels.length === 0) {
    throw new Error(`${owner}: the model has no Dense or Conv2D kernel to work on`);
  }
  return kernels;
}

function checkGroups(owner: string, groups: GroupSelection): { dense: boolean; conv: boolean } {
  if (typeof groups === 'boolean') return { dense: groups, conv: groups };
  const ok =
    groups !== null &&
    typeof groups === 'object' &&
    Object.keys(groups).every((k) => k === 'dense' || k === 'conv') &&
    [groups.dense, groups.conv].every((v) => v === undefined || typeof v === 'boolean');
  if (!ok) {
    throw new TypeError(
      `${owner}: groups must be a boolean or {dense?: boolean, conv?: boolean}, got ${JSON.stringify(groups)}`,
    );
  }
  return { dense: groups.dense ?? false, conv: groups.conv ?? false };
}
