import type { ModelKernel } from '@bregman/core-prox';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { requireKernels } from './kernels.js';
import { type Probe, readOneSync, scalarProbe } from './probe.js';

/**
 * `Σ |w|` over the kernels of every Dense and convolution layer (biases excluded, as in
 * {@link sparsity}): the ℓ1 norm the paper plots in Fig. 2 and 3 (without λ). One read of
 * one number; leaves no tensors behind.
 *
 * @param model - a built `tf.LayersModel` with at least one Dense or convolution layer.
 */
export function l1Norm(model: LayersModel): number {
  return readOneSync(l1NormProbe(requireKernels('l1Norm', model)));
}

/** The number {@link l1Norm} returns, as a probe (internal). */
export function l1NormProbe(kernels: readonly ModelKernel[]): Probe<number> {
  return scalarProbe(() => tf.addN(kernels.map((k) => tf.sum(tf.abs(k.variable.read())))));
}
