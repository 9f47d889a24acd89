import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { stockKernel } from './stock-kernels.js';
import { callKernel } from './wasm-calls.js';

/**
 * `Identity` that shares its input's memory (one more reference, as tfjs-backend-wasm's own
 * `Reshape` does and the `cpu` backend's `Identity`) instead of copying it. tfjs-core's engine
 * clones through `Identity` every tensor a gradient saves for the backward pass: on ResNet-18
 * at batch 16 that was over 200 copies of activations per training step (37 ms). tfjs tensors are
 * immutable, so the copy bought nothing. Strings go to the stock kernel.
 */
const identity: KernelFunc = ({ inputs, backend: anyBackend }) => {
  const backend = anyBackend as KernelBackend;
  const { x } = inputs as { x: TensorInfo };
  if (x.dtype === 'string') return callKernel(stockKernel('Identity'), backend, inputs, {});
  return sharedCopy(backend, x);
};

/** A tensor of `x`'s memory, shape and dtype: one more reference to its data, no copy. */
export function sharedCopy(backend: KernelBackend, x: TensorInfo): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

/** `Identity` for the wasm backend: see {@link identity}. */
export const identityConfig: KernelConfig = {
  kernelName: 'Identity',
  backendName: 'wasm',
  kernelFunc: identity,
};
