import type {
  CastAttrs,
  KernelBackend,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { sharedCopy } from './identity.js';
import { stockKernel } from './stock-kernels.js';
import { callKernel, type WasmBackend } from './wasm-calls.js';

/**
 * `Cast` for the wasm backend. To the dtype a tensor already has, it shares the input's memory
 * (one more reference, as this package's `Identity` does) instead of copying it: tfjs-core's
 * ReLU gradient casts its float32 `step(x)` to float32 — 17 copies of activations per ResNet-18
 * step at batch 16 (~4 ms), 9 per ConvNet step. To `bool` from float32 or int32, every entry
 * that is not 0 (NaN included) becomes 1, as on the `cpu` backend: tfjs-backend-wasm's own
 * kernel truncates to a byte (−2.2 became 254). Other conversions and strings go to the stock
 * kernel.
 */
const cast: KernelFunc = ({ inputs, backend: anyBackend, attrs }) => {
  const backend = anyBackend as KernelBackend;
  const { x } = inputs as { x: TensorInfo };
  const { dtype } = attrs as unknown as CastAttrs;
  if (x.dtype === dtype && dtype !== 'string') return sharedCopy(backend, x);
  if (dtype === 'bool' && (x.dtype === 'float32' || x.dtype === 'int32')) {
    const wasm = backend as WasmBackend;
    const out = wasm.makeOutput(x.shape, 'bool');
    // views after the allocation: a growing heap detaches older views
    const src = wasm.typedArrayFromHeap(x);
    const dst = wasm.typedArrayFromHeap(out);
    for (let i = 0; i < dst.length; i++) dst[i] = src[i] !== 0 ? 1 : 0;
    return out;
  }
  return callKernel(stockKernel('Cast'), backend, inputs, attrs);
};

/** `Cast` for the wasm backend: see {@link cast}. */
export const castConfig: KernelConfig = {
  kernelName: 'Cast',
  backendName: 'wasm',
  kernelFunc: cast,
};
