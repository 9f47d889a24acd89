import { measure } from '@bregman/metrics';
import type { LayersModel } from '@tensorflow/tfjs-layers';

/** The sparsity fields of a run record, and the ℓ1 norm, in one read from the backend. */
export async function modelSparsity(model: LayersModel) {
  const { sparsity, l1Norm } = await measure(model);
  const orNull = (x: number) => (Number.isNaN(x) ? null : x);
  return {
    nTotal: sparsity.total,
    nLinear: orNull(sparsity.linear),
    nConv: orNull(sparsity.convKernels),
    activeNeurons: sparsity.activeNeurons,
    l1Norm,
  };
}
