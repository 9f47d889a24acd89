import { KERNEL_LAYER_KINDS } from '@bregman/core-prox';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { inputShapeOf, type Layer } from './layer-chain.js';

/** Size and compute of a model. */
export interface ModelCost {
  /** All parameters (`model.countParams()`: BatchNorm statistics included). */
  params: number;
  /**
   * FLOPs of one example's forward pass through the Dense and convolution layers, counted
   * as 2 × multiply–adds with every weight (zeros included): `2·nIn·nOut` for a Dense layer,
   * `2·kh·kw·cin·cout·oh·ow` for a Conv2D layer, `2·kh·kw·cin·dm·oh·ow` for a
   * DepthwiseConv2D, the depthwise and the pointwise part `2·(kh·kw·cin·dm + cin·dm·cout)·oh·ow`
   * for a SeparableConv2D, and `2·kh·kw·cin·cout·ih·iw` (each input position spreads the
   * whole kernel) for a Conv2DTranspose. Biases, activations, pooling and BatchNorm are not
   * counted.
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

/** The counted layers: those whose kernels core-prox regularizes (`KERNEL_LAYER_KINDS`). */
const COUNTED: ReadonlySet<string> = new Set(KERNEL_LAYER_KINDS);
/** The weights that are kernels (each entry one multiply–add per position). */
const KERNELS = new Set(['kernel', 'depthwise_kernel', 'pointwise_kernel']);

/** Parameters and per-example FLOPs of a model (see {@link ModelCost}). */
export function modelCost(model: LayersModel): ModelCost {
  let flops = 0;
  const visit = (layer: LayerLike) => {
    if (layer.layers) {
      for (const inner of layer.layers) visit(inner);
      return;
    }
    const kind = layer.getClassName();
    if (!COUNTED.has(kind)) return;
    const kernelSize = layer.weights
      .filter((w) => KERNELS.has(w.originalName.split('/').at(-1)!))
      .reduce((sum, w) => sum + w.shape.reduce<number>((a, d) => a * (d ?? 1), 1), 0);
    const shape =
      kind === 'Conv2DTranspose'
        ? inputShapeOf(layer as unknown as Layer)
        : (layer.outputShape as Array<number | null>);
    const positions = shape.slice(1, -1).reduce<number>((a, d) => a * (d ?? 1), 1);
    flops += 2 * kernelSize * positions;
  };
  for (const layer of model.layers as unknown as LayerLike[]) visit(layer);
  return { params: model.countParams(), flops };
}
