import { type ModelKernel, modelKernels } from '@bregman/core-prox';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { checkModel } from './validation.js';

/**
 * The kernels of `model` (core-prox's `modelKernels`: Dense and convolution layers, nested
 * models, `TimeDistributed`, shared layers once), an error when there is none (e.g. the
 * model is not built yet).
 */
export function requireKernels(context: string, model: LayersModel): ModelKernel[] {
  checkModel(`${context}: model`, model);
  const kernels = modelKernels(model, context);
  if (kernels.length === 0) {
    throw new Error(
      `${context}: the model has no built Dense or convolution layer (build it first, e.g. give its first layer an inputShape)`,
    );
  }
  return kernels;
}
