import { kernelGroupAxes, modelKernels } from '@bregman/core-prox';
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
export interface PrunableKernel {
  /** The layer's name. */
  layer: string;
  /** The kernel variable (the layer's own: read it, never dispose it). */
  variable: Variable;
  /** `'weights'`, or `'neurons'` (Dense) / `'kernels'` (convolutions) in group mode. */
  unit: PruningUnit;
  /** The axes one group spans (`[0]` neurons, `[0, 1]` Conv2D kernels); empty for `'weights'`. */
  reduceAxes: number[];
}

/**
 * The trainable kernels of `model` (core-prox's `modelKernels`: Dense and convolution
 * layers, nested models, `TimeDistributed`, shared layers once) with their pruning unit: in
 * group mode, Dense kernels by neurons and convolution kernels by their spatial kernels.
 * An error when there is none.
 */
export function prunableKernels(
  model: { layers: readonly unknown[] },
  groups: GroupSelection = false,
  owner = 'prunableKernels',
): PrunableKernel[] {
  const byGroup = checkGroups(owner, groups);
  const kernels = modelKernels(model, owner).flatMap((k): PrunableKernel[] => {
    if (!k.variable.trainable) return [];
    const dense = k.kind === 'Dense';
    const grouped = dense ? byGroup.dense : byGroup.conv;
    return [
      {
        layer: k.layerName,
        variable: k.variable.read() as Variable,
        unit: grouped ? (dense ? 'neurons' : 'kernels') : 'weights',
        reduceAxes: grouped ? [...kernelGroupAxes(k, dense ? 'neuron' : 'kernel', owner)] : [],
      },
    ];
  });
  if (kernels.length === 0) {
    throw new Error(`${owner}: the model has no Dense or convolution kernel to work on`);
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
