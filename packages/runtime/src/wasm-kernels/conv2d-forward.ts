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
import { explicitPadding } from './padding.js';
import { im2col } from './patches.js';
import { forwardRoute } from './routes.js';
import { stockKernel } from './stock-kernels.js';
import { callKernel, dispose, matMul, reshape, type WasmBackend } from './wasm-calls.js';

/** The filters (their data ids) this backend has convolved with: see {@link forwardRoute}. */
const filtersSeen = new WeakSet<object>();

/**
 * `y = conv2d(x, W)` as `patches(x) · W` (im2col, then one matMul on XNNPACK), for an NHWC,
 * float32, undilated convolution without bias or activation when {@link forwardRoute} picks
 * it; `undefined` otherwise (the caller runs XNNPACK's convolution).
 */
function im2colConv(
  backend: KernelBackend,
  x: TensorInfo,
  filter: TensorInfo,
  attrs: Conv2DAttrs,
): TensorInfo | undefined {
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs;
  const undilated = dilations == null || backend_util.tupleValuesAreOne(dilations);
  if (dataFormat === 'NCHW' || !undilated || x.dtype !== 'float32' || filter.dtype !== 'float32') {
    return undefined;
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
  if (forwardRoute(info, firstUse) !== 'im2col-matmul') return undefined;
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
 * The forward convolution: im2col + matMul where {@link forwardRoute} says XNNPACK's packing
 * of a new filter would cost more, else tfjs-backend-wasm's own XNNPACK kernel with a numeric
 * padding made explicit. A fused bias or activation always goes to the stock kernel.
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
    const plain =
      bias == null &&
      preluActivationWeights == null &&
      (convAttrs.activation === undefined || convAttrs.activation === 'linear');
    const viaMatMul = plain ? im2colConv(backend, x, filter, convAttrs) : undefined;
    if (viaMatMul) return viaMatMul;
    return callKernel(stockKernel(kernelName), backend, inputs, {
      ...attrs,
      pad: explicitPadding(convAttrs.pad, convAttrs.dataFormat),
    } as NamedAttrMap);
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
