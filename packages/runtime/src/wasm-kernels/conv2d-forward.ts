import type {
  Conv2DAttrs,
  FusedConv2DAttrs,
  KernelBackend,
  KernelConfig,
  KernelFunc,
  NamedAttrMap,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import { runConvGemm } from './conv-gemm.js';
import { explicitPadding } from './padding.js';
import { im2col } from './patches.js';
import { forwardRoute } from './routes.js';
import {
  heapOffset,
  requireSimdKernels,
  SIMD_ACTIVATION_CODES,
  type SimdKernels,
  simdKernels,
} from './simd/instance.js';
import { stockKernel } from './stock-kernels.js';
import { callKernel, dispose, matMul, reshape, type WasmBackend } from './wasm-calls.js';

/**
 * `y = conv2d(x, W)` (+ bias, ReLU / ReLU6) in this package's WebAssembly SIMD kernels: im2col
 * of a chunk of output positions, then the SIMD GEMM on it, chunk after chunk.
 */
function simdGemmConv(
  backend: WasmBackend,
  simd: SimdKernels,
  x: TensorInfo,
  filter: TensorInfo,
  bias: TensorInfo | null | undefined,
  activation: number,
  info: backend_util.Conv2DInfo,
): TensorInfo {
  const { batchSize, outHeight, outWidth, outChannels } = info;
  const shape = [batchSize, outHeight, outWidth, outChannels];
  // chunks of output positions, each with its own patches
  return runConvGemm(backend, simd, info, shape, {
    kernel: 'conv2d_forward_rows',
    args: (y) => [
      heapOffset(backend, x),
      heapOffset(backend, filter),
      y,
      bias == null ? 0 : heapOffset(backend, bias),
      activation,
    ],
    total: batchSize * outHeight * outWidth,
    unit: (chunkRows) => chunkRows,
    extraFloats: 0,
    even: false,
  });
}

/** The filters (their data ids) this backend has convolved with: see {@link forwardRoute}. */
const filtersSeen = new WeakSet<object>();

/** `y = conv2d(x, W)` as `patches(x) · W`: im2col, then one matMul (the `BatchMatMul` route). */
function im2colConv(
  backend: KernelBackend,
  x: TensorInfo,
  filter: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo {
  const { batchSize, outHeight, outWidth, outChannels } = info;
  const positions = batchSize * outHeight * outWidth;
  const taps = info.filterHeight * info.filterWidth * info.inChannels;
  const patches = im2col(backend as WasmBackend, x, info); // [N·OH·OW, KH·KW·CI]
  const patches3 = reshape(backend, patches, [1, positions, taps]);
  const filter3 = reshape(backend, filter, [1, taps, outChannels]);
  const y = matMul(backend, patches3, filter3, false, false);
  const out = reshape(backend, y, [batchSize, outHeight, outWidth, outChannels]);
  dispose(backend, patches, patches3, filter3, y);
  return out;
}

/**
 * The forward convolution, by {@link forwardRoute}: the SIMD im2col + GEMM (with its bias and
 * ReLU / ReLU6), im2col + matMul, or tfjs-backend-wasm's own XNNPACK kernel with a numeric
 * padding made explicit. NCHW, dilated, non-float32 convolutions, other fused activations and
 * a bias that is not a vector of the output channels always go to the stock kernel.
 */
function forwardConvolution(kernelName: string): KernelFunc {
  return ({ inputs, backend: anyBackend, attrs }) => {
    const backend = anyBackend as KernelBackend;
    const { x, filter, bias, preluActivationWeights } = inputs as {
      x: TensorInfo;
      filter: TensorInfo;
      bias?: TensorInfo | null;
      preluActivationWeights?: TensorInfo | null;
    };
    const convAttrs = attrs as unknown as Conv2DAttrs & Partial<FusedConv2DAttrs>;
    const { strides, pad, dataFormat, dilations, dimRoundingMode } = convAttrs;
    const stock = () =>
      callKernel(stockKernel(kernelName), backend, inputs, {
        ...attrs,
        pad: explicitPadding(pad, dataFormat),
      } as NamedAttrMap);
    const undilated = dilations == null || backend_util.tupleValuesAreOne(dilations);
    const activation = SIMD_ACTIVATION_CODES[convAttrs.activation ?? 'linear'];
    const outChannels = filter.shape[3]!;
    const vectorBias =
      bias == null ||
      (bias.dtype === 'float32' && bias.shape.length === 1 && bias.shape[0] === outChannels);
    if (
      dataFormat === 'NCHW' ||
      !undilated ||
      x.dtype !== 'float32' ||
      filter.dtype !== 'float32' ||
      activation === undefined ||
      preluActivationWeights != null ||
      !vectorBias
    ) {
      return stock();
    }
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      strides,
      1,
      explicitPadding(pad, dataFormat),
      dimRoundingMode,
      false,
      'channelsLast',
    );
    const firstUse = !filtersSeen.has(filter.dataId);
    filtersSeen.add(filter.dataId);
    const simd = simdKernels(backend);
    const route = forwardRoute(info, firstUse, simd !== undefined);
    if (route === 'simd-gemm') {
      const kernels = requireSimdKernels(kernelName, simd, route);
      return simdGemmConv(backend as WasmBackend, kernels, x, filter, bias, activation, info);
    }
    if (route === 'im2col-matmul' && bias == null && activation === 0) {
      return im2colConv(backend, x, filter, info);
    }
    return stock();
  };
}

/** `Conv2D` for the wasm backend: see {@link forwardConvolution}. */
export const conv2DConfig: KernelConfig = {
  kernelName: 'Conv2D',
  backendName: 'wasm',
  kernelFunc: forwardConvolution('Conv2D'),
};

/** `FusedConv2D` for the wasm backend: see {@link forwardConvolution}. */
export const fusedConv2DConfig: KernelConfig = {
  kernelName: 'FusedConv2D',
  backendName: 'wasm',
  kernelFunc: forwardConvolution('FusedConv2D'),
};
