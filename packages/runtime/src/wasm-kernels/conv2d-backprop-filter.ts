import type {
  Conv2DBackpropFilterAttrs,
  KernelBackend,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import { requireFloat32, requireNHWC, requireShape } from './checks.js';
import { runConvGemm } from './conv-gemm.js';
import { explicitPadding } from './padding.js';
import { im2col } from './patches.js';
import { filterRoute } from './routes.js';
import {
  convGeometryArgs,
  heapOffset,
  heapOffsets,
  requireSimdKernels,
  simdKernels,
} from './simd/instance.js';
import { runRangeKernels } from './simd/split-kernels.js';
import {
  conv2dStride1,
  dispose,
  matMul,
  pad,
  reshape,
  transpose,
  type WasmBackend,
} from './wasm-calls.js';

const NAME = 'Conv2DBackpropFilter';

/**
 * The filter gradient of an NHWC convolution, by one of three routes (see `filterRoute`):
 *
 * **SIMD** (`kernels.c`), where WebAssembly SIMD runs: the sum below, either with two filter
 * rows × 16 output channels in registers over each image (tiled), or four output positions at
 * a time into each filter row (direct);
 *
 * **im2col + matMul**: `dW = patchesᵀ · dy` with the patches of `x` gathered in one pass and
 * the product on XNNPACK.
 *
 * **dilated convolution**, one forward convolution that XNNPACK runs:
 *
 * `dW[kh, kw, ci, co] = Σ_{n, oh, ow} x[n, oh·sh + kh − top, ow·sw + kw − left, ci] · dy[n, oh, ow, co]`
 *
 * is a stride-1 convolution of `x` transposed to `[CI, H, W, N]` (the input channels become
 * the batch, the batch becomes the channels) with `dy` transposed to `[OH, OW, N, CO]` as the
 * filter, dilated by the forward stride, padded by the forward padding on top / left and by
 * whatever makes the output `KH × KW` on bottom / right. Its output `[CI, KH, KW, CO]` is
 * transposed back to `[KH, KW, CI, CO]`. When the forward pass never read the last rows or
 * columns of `x` (stride > 1 with leftover input) the bottom / right padding would be
 * negative; `dy` then gets zero rows / columns appended instead, which adds nothing to the sum.
 */
const conv2DBackpropFilter: KernelFunc = ({ inputs, backend: anyBackend, attrs }) => {
  const backend = anyBackend as KernelBackend;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const {
    strides,
    pad: padding,
    dataFormat,
    dimRoundingMode,
    filterShape,
  } = attrs as unknown as Conv2DBackpropFilterAttrs;
  requireNHWC(NAME, dataFormat);
  requireFloat32(NAME, { x, dy });
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    explicitPadding(padding, dataFormat),
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize, inHeight, inWidth, outHeight, outWidth, outChannels, padInfo } = info;
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
  requireShape(NAME, 'dy', dy, [batchSize, outHeight, outWidth, outChannels]);

  const simd = simdKernels(backend);
  const route = filterRoute(info, simd !== undefined);
  if (route === 'simd-tiled') {
    const dw = (backend as WasmBackend).makeOutput(filterShape, 'float32');
    ((backend as WasmBackend).typedArrayFromHeap(dw) as Float32Array).fill(0);
    // pairs of dw's rows, each summed over all images: shared among threads
    runRangeKernels(backend as WasmBackend, requireSimdKernels(NAME, simd, route), [
      {
        kernel: 'conv2d_filter_grad_tiled_rows',
        args: [...heapOffsets(backend, x, dy, dw), ...convGeometryArgs(info)],
        total: kh * Math.ceil((kw * info.inChannels) / 2),
        unit: 1,
        work: batchSize * outHeight * outWidth * kh * kw * info.inChannels * outChannels,
        scratchFloats: 0,
      },
    ]);
    return dw;
  }
  if (route === 'simd-gemm') {
    const kernels = requireSimdKernels(NAME, simd, route);
    // dw's columns (output channels), each thread making the patches of every position
    return runConvGemm(backend as WasmBackend, kernels, info, filterShape, {
      kernel: 'conv2d_filter_grad_columns',
      args: (dw) => [heapOffset(backend, x), heapOffset(backend, dy), dw],
      total: outChannels,
      unit: () => 8,
      extraFloats: 0,
      even: true,
    });
  }
  if (route === 'im2col-matmul') {
    const patches = im2col(backend as WasmBackend, x, info); // [N·OH·OW, KH·KW·CI]
    const dy2 = reshape(backend, dy, [1, batchSize * outHeight * outWidth, outChannels]);
    const patches3 = reshape(backend, patches, [1, ...patches.shape]);
    const dw = matMul(backend, patches3, dy2, true, false); // [1, KH·KW·CI, CO]
    const out = reshape(backend, dw, filterShape);
    dispose(backend, patches, patches3, dy2, dw);
    return out;
  }

  const bottom = kh + (outHeight - 1) * sh - inHeight - padInfo.top;
  const right = kw + (outWidth - 1) * sw - inWidth - padInfo.left;
  const extraRows = bottom < 0 ? Math.ceil(-bottom / sh) : 0;
  const extraCols = right < 0 ? Math.ceil(-right / sw) : 0;

  const xT = transpose(backend, x, [3, 1, 2, 0]);
  let dyT = transpose(backend, dy, [1, 2, 0, 3]);
  if (extraRows > 0 || extraCols > 0) {
    const padded = pad(backend, dyT, [
      [0, extraRows],
      [0, extraCols],
      [0, 0],
      [0, 0],
    ]);
    dispose(backend, dyT);
    dyT = padded;
  }
  const dwT = conv2dStride1(
    backend,
    xT,
    dyT,
    [
      [0, 0],
      [padInfo.top, bottom + extraRows * sh],
      [padInfo.left, right + extraCols * sw],
      [0, 0],
    ],
    [sh, sw],
  );
  const dw = transpose(backend, dwT, [1, 2, 0, 3]);
  dispose(backend, xT, dyT, dwT);
  return dw;
};

/** `Conv2DBackpropFilter` for the wasm backend (tfjs-backend-wasm 4.22 has none). */
export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: NAME,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter,
};
