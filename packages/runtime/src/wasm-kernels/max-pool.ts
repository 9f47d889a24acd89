import type {
  KernelBackend,
  KernelConfig,
  KernelFunc,
  MaxPoolAttrs,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { backend_util, util } from '@tensorflow/tfjs-core';
import { tiles } from './max-pool-grad.js';
import { heapOffset, simdKernels } from './simd/instance.js';
import { runRangeKernels } from './simd/split-kernels.js';
import { stockKernel } from './stock-kernels.js';
import { callKernel, type WasmBackend } from './wasm-calls.js';

/**
 * `MaxPool` (NHWC) for 2×2 windows with stride 2 that tile a float32 input (the ConvNet's
 * pooling): one WebAssembly SIMD pass, rows of windows shared among the backend's threads, each
 * output the cpu backend's (the largest input, NaN passed over). tfjs-backend-wasm's XNNPACK
 * pooling runs on the calling thread alone: 2.1 ms of the ConvNet's step at batch 128. Every
 * other pooling goes to it.
 */
const maxPool: KernelFunc = ({ inputs, backend: anyBackend, attrs }) => {
  const backend = anyBackend as KernelBackend;
  const { x } = inputs as { x: TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolAttrs;
  const simd = x.dtype === 'float32' && x.shape.length === 4 ? simdKernels(backend) : undefined;
  const info = simd
    ? backend_util.computePool2DInfo(
        x.shape as [number, number, number, number],
        filterSize,
        strides,
        1,
        pad,
        dimRoundingMode,
      )
    : undefined;
  if (!simd || !info || !tiles(info) || info.filterHeight !== 2 || info.filterWidth !== 2) {
    return callKernel(stockKernel('MaxPool'), backend, inputs, attrs);
  }
  const wasm = backend as WasmBackend;
  const y = wasm.makeOutput(info.outShape, 'float32');
  if (util.sizeFromShape(info.outShape) === 0) return y;
  runRangeKernels(wasm, simd, [
    {
      kernel: 'max_pool_2x2_rows',
      args: [heapOffset(wasm, x), heapOffset(wasm, y), info.outWidth, info.inChannels],
      total: info.batchSize * info.outHeight,
      unit: 1,
      work: util.sizeFromShape(x.shape),
      scratchFloats: 0,
    },
  ]);
  return y;
};

/** `MaxPool` for the wasm backend: see {@link maxPool}. */
export const maxPoolConfig: KernelConfig = {
  kernelName: 'MaxPool',
  backendName: 'wasm',
  kernelFunc: maxPool,
};
