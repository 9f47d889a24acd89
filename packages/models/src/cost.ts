import type { LayersModel } from '@tensorflow/tfjs-layers';

/** Size and compute of a model. */
export interface ModelCost {
  /** All parameters (`model.countParams()`: BatchNorm statistics included). */
  params: number;
  /**
   * FLOPs of one example's forward pass through the Dense and Conv layers, counted as
   * 2 × multiply–adds with every weight (zeros included): `2·nIn·nOut` for a Dense layer,
   * `2·kh·kw·cin·cout·oh·ow` for a Conv2D layer. Biases, activations, pooling and
   * BatchNorm are not counted.
   */
  flops: number;
}

/** The part of a tfjs layer {@link modelCost} reads. */
interface LayerLike {
  getClassName(): string;
  outputShape: unknown;
  weights: Array<{ originalName: string; shape: ReadonlyArray<number | null> }>;
  layers?: LayerLike[];
}

const COUNTED = new Set(['Dense', 'Conv1D', 'Conv2D', 'Conv3D']);

/** Parameters and per-example FLOPs of a model (see {@link ModelCost}). */
export function modelCost(model: LayersModel): ModelCost {
  let flops = 0;
  const visit = (layer: LayerLike) => {
    if (layer.layers) {
      for (const inner of layer.layers) visit(inner);
      return;
    }
    if (!COUNTED.has(layer.getClassName())) return;
    const kernel = layer.weights.find((w) => w.originalName.split('/').at(-1) === 'kernel');
    if (!kernel) return;
    const kernelSize = kernel.shape.reduce<number>((a, d) => a * (d ?? 1), 1);
    const out = layer.outputShape as Array<number | null>;
    const positions = out.slice(1, -1).reduce<number>((a, d) => a * (d ?? 1), 1);
    flops += 2 * kernelSize * positions;
  };
  for (const layer of model.layers as unknown as LayerLike[]) visit(layer);
  return { params: model.countParams(), flops };
}
