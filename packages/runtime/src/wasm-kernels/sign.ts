import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { stockKernel } from './stock-kernels.js';
import { callKernel, type WasmBackend } from './wasm-calls.js';

/**
 * `tf.sign` for the wasm backend: −1, 0 or 1 by comparison with 0 (0 for NaN), as on the cpu
 * backend. tfjs-backend-wasm 4.22's Sign returns 0 for every `|x|` below about 1e-7, so the
 * ℓ1 subgradient `λ·sign(θ)` of a small nonzero weight came out 0 there.
 */
const sign: KernelFunc = ({ inputs, backend: anyBackend, attrs }) => {
  const backend = anyBackend as KernelBackend;
  const { x } = inputs as { x: TensorInfo };
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    return callKernel(stockKernel('Sign'), backend, inputs, attrs);
  }
  const wasm = backend as WasmBackend;
  const out = wasm.makeOutput(x.shape, x.dtype);
  const src = wasm.typedArrayFromHeap(x);
  const dst = wasm.typedArrayFromHeap(out);
  for (let i = 0; i < src.length; i++) {
    const v = src[i] as number;
    dst[i] = v > 0 ? 1 : v < 0 ? -1 : 0;
  }
  return out;
};

/** `Sign` for the wasm backend: exact for small magnitudes (the stock kernel is not). */
export const signConfig: KernelConfig = {
  kernelName: 'Sign',
  backendName: 'wasm',
  kernelFunc: sign,
};
