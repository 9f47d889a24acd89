import type { Tensor } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { checkModel } from './validation.js';

/** The layer kinds whose kernels the sparsity metrics count (paper §4.4). */
export type KernelKind = 'Dense' | 'Conv2D';

/** One `Dense` or `Conv2D` kernel of a model (internal). */
export interface KernelRef {
  /** The layer's name. */
  layer: string;
  /** The layer's class. */
  kind: KernelKind;
  /** The kernel variable's name (what regularizer rules match). */
  name: string;
  /** `[nIn, nOut]` (Dense) or `[kh, kw, cin, cout]` (Conv2D). */
  shape: number[];
  /** The live variable (never dispose it). */
  read(): Tensor;
}

interface VariableLike {
  name: string;
  originalName: string;
  shape: number[];
  read(): Tensor;
}

interface LayerLike {
  name: string;
  getClassName(): string;
  weights: VariableLike[];
  layers?: LayerLike[];
  layer?: LayerLike;
}

const RANK: Record<KernelKind, number> = { Dense: 2, Conv2D: 4 };

/**
 * The kernels of every `Dense` and `Conv2D` layer of `model`, in the order of `model.layers`
 * with nested models (a `Sequential` used as a layer) expanded in place and layers wrapped by
 * `TimeDistributed` included; a layer reached twice (shared) is listed once. Biases and
 * every other variable are not kernels.
 */
function findKernels(context: string, model: LayersModel): KernelRef[] {
  checkModel(`${context}: model`, model);
  const seen = new Set<LayerLike>();
  const kernels: KernelRef[] = [];
  const visit = (layer: LayerLike) => {
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
    const kind = layer.getClassName();
    if (kind !== 'Dense' && kind !== 'Conv2D') return;
    for (const weight of layer.weights) {
      if (!/(^|\/)kernel$/.test(weight.originalName)) continue;
      if (weight.shape.length !== RANK[kind]) {
        throw new Error(
          `${context}: ${kind} layer '${layer.name}' has a kernel of shape [${weight.shape.join(', ')}], expected rank ${RANK[kind]}`,
        );
      }
      kernels.push({
        layer: layer.name,
        kind,
        name: weight.name,
        shape: [...weight.shape],
        read: () => weight.read(),
      });
    }
  };
  for (const layer of model.layers as unknown as LayerLike[]) visit(layer);
  return kernels;
}

/** {@link findKernels}, but an error when the model has none (e.g. it is not built yet). */
export function requireKernels(context: string, model: LayersModel): KernelRef[] {
  const kernels = findKernels(context, model);
  if (kernels.length === 0) {
    throw new Error(
      `${context}: the model has no built Dense or Conv2D layer (build it first, e.g. give its first layer an inputShape)`,
    );
  }
  return kernels;
}
