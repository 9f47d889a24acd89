import type {
  Conv2DBackpropInputAttrs,
  KernelBackend,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import { requireFloat32, requireShape } from './checks.js';
import { runConvGemm } from './conv-gemm.js';
import { explicitPadding } from './padding.js';
import { col2im } from './patches.js';
import { inputRoute } from './routes.js';
import {
  convGeometryArgs,
  heapOffset,
  heapOffsets,
  requireSimdKernels,
  simdKernels,
} from './simd/instance.js';
import { runRangeKernels } from './simd/split-kernels.js';
import { stockKernel } from './stock-kernels.js';
import {
  callKernel,
  conv2dStride1,
  dispose,
  matMul,
  pad,
  reshape,
  slice,
  transpose,
  type WasmBackend,
} from './wasm-calls.js';

const NAME = 'Conv2DBackpropInput';

/**
 * `W'[kh, kw, co, ci] = W[KH − 1 − kh, KW − 1 − kw, ci, co]`: the filter flipped in space with
 * its channels swapped, in one JavaScript pass (tfjs-backend-wasm's Reverse is an
 * index-per-element loop, slow on `3×3×256×256` filters).
 */
function flipFilter(backend: WasmBackend, filter: TensorInfo): TensorInfo {
  const [kh, kw, ci, co] = filter.shape as [number, number, number, number];
  const out = backend.makeOutput([kh, kw, co, ci], 'float32');
  const src = backend.typedArrayFromHeap(filter) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  const block = ci * co;
  for (let h = 0; h < kh; h++) {
    for (let w = 0; w < kw; w++) {
      const s0 = ((kh - 1 - h) * kw + (kw - 1 - w)) * block;
      const d0 = (h * kw + w) * block;
      for (let i = 0; i < ci; i++) {
        const s = s0 + i * co;
        for (let o = 0; o < co; o++) dst[d0 + o * ci + i] = src[s + o] as number;
      }
    }
  }
  return out;
}

/**
 * The input gradient of an NHWC convolution (also `tf.conv2dTranspose`), by one of three routes
 * (see `inputRoute`):
 *
 * **direct SIMD** (`kernels.c`), where WebAssembly SIMD runs: each input position gathers
 * `Σ dy · W` from the output positions and taps that read it;
 *
 * **matMul + col2im**: `cols = dy · Wᵀ` (`W` as `[KH·KW·CI, CO]`) on XNNPACK, then one pass
 * that adds every column back to the input position it came from.
 *
 * **flipped-filter convolution**, one stride-1 convolution that XNNPACK runs: `dy` with `stride − 1` zeros inserted between its rows and
 * columns, convolved with the filter flipped in space and with in / out channels swapped
 * (`[KH, KW, CO, CI]`), padded by `KH − 1 − top` on top and by whatever gives back the input
 * height at the bottom (the same for columns). A negative padding (explicit paddings larger
 * than the filter, or zero rows of the upsampling that no input row needs) crops `dy` instead.
 * NCHW goes to tfjs-backend-wasm's own (slow, correct) kernel.
 */
const conv2DBackpropInput: KernelFunc = ({ inputs, backend: anyBackend, attrs }) => {
  const backend = anyBackend as KernelBackend;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const {
    strides,
    pad: padding,
    dataFormat,
    dimRoundingMode,
    inputShape,
  } = attrs as unknown as Conv2DBackpropInputAttrs;
  if (dataFormat === 'NCHW') {
    return callKernel(stockKernel(NAME), backend, inputs, attrs);
  }
  requireFloat32(NAME, { dy, filter });
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    explicitPadding(padding, dataFormat),
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, padInfo } = info;
  requireShape(NAME, 'dy', dy, [batchSize, outHeight, outWidth, outChannels]);
  requireShape(NAME, 'filter', filter, [kh, kw, inChannels, outChannels]);

  const simd = simdKernels(backend);
  const route = inputRoute(info, simd !== undefined);
  if (route === 'direct-simd') {
    const wt = transpose(backend, filter, [0, 1, 3, 2]); // [KH, KW, CO, CI]
    const dx = (backend as WasmBackend).makeOutput(
      [batchSize, inHeight, inWidth, inChannels],
      'float32',
    );
    // each input row (image, row) gathers from dy alone: the rows are shared among threads
    runRangeKernels(backend as WasmBackend, requireSimdKernels(NAME, simd, route), [
      {
        kernel: 'conv2d_input_grad_rows',
        args: [...heapOffsets(backend, dy, wt, dx), ...convGeometryArgs(info)],
        total: batchSize * inHeight,
        unit: 1,
        work: batchSize * outHeight * outWidth * kh * kw * inChannels * outChannels,
        scratchFloats: 0,
      },
    ]);
    dispose(backend, wt);
    return dx;
  }
  if (route === 'simd-gemm') {
    const kernels = requireSimdKernels(NAME, simd, route);
    const shape = [batchSize, inHeight, inWidth, inChannels];
    const filterFloats = kh * kw * inChannels * outChannels; // Wᵀ, written out once for all chunks
    // col2im adds overlapping patches: shared by whole images, each thread with its own Wᵀ
    return runConvGemm(backend as WasmBackend, kernels, info, shape, {
      kernel: 'conv2d_input_grad_images',
      args: (dx) => [heapOffset(backend, dy), heapOffset(backend, filter), dx],
      total: batchSize,
      unit: () => 1,
      extraFloats: filterFloats,
      even: true,
    });
  }
  if (route === 'matmul-col2im') {
    const dy2 = reshape(backend, dy, [1, batchSize * outHeight * outWidth, outChannels]);
    const w2 = reshape(backend, filter, [1, kh * kw * inChannels, outChannels]);
    const cols3 = matMul(backend, dy2, w2, false, true); // [1, N·OH·OW, KH·KW·CI]
    const cols = reshape(backend, cols3, cols3.shape.slice(1));
    const dx = col2im(backend as WasmBackend, cols, info);
    dispose(backend, dy2, w2, cols3, cols);
    return dx;
  }

  // dy with stride − 1 zeros after every row / column: [N, OH·sh, OW·sw, CO]
  let up = dy;
  if (sh > 1 || sw > 1) {
    const split = reshape(backend, dy, [batchSize, outHeight, 1, outWidth, 1, outChannels]);
    const zeros = pad(backend, split, [
      [0, 0],
      [0, 0],
      [0, sh - 1],
      [0, 0],
      [0, sw - 1],
      [0, 0],
    ]);
    up = reshape(backend, zeros, [batchSize, outHeight * sh, outWidth * sw, outChannels]);
    dispose(backend, split, zeros);
  }
  const upHeight = outHeight * sh;
  const upWidth = outWidth * sw;
  const top = kh - 1 - padInfo.top;
  const bottom = inHeight - upHeight + padInfo.top;
  const left = kw - 1 - padInfo.left;
  const right = inWidth - upWidth + padInfo.left;
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const cropTop = Math.max(-top, 0);
    const cropLeft = Math.max(-left, 0);
    const cropped = slice(
      backend,
      up,
      [0, cropTop, cropLeft, 0],
      [
        batchSize,
        upHeight - cropTop - Math.max(-bottom, 0),
        upWidth - cropLeft - Math.max(-right, 0),
        outChannels,
      ],
    );
    if (up !== dy) dispose(backend, up);
    up = cropped;
  }

  const swapped = flipFilter(backend as WasmBackend, filter); // [KH, KW, CO, CI], flipped
  const dx = conv2dStride1(backend, up, swapped, [
    [0, 0],
    [Math.max(top, 0), Math.max(bottom, 0)],
    [Math.max(left, 0), Math.max(right, 0)],
    [0, 0],
  ]);
  if (up !== dy) dispose(backend, up);
  dispose(backend, swapped);
  return dx;
};

/** `Conv2DBackpropInput` for the wasm backend (tfjs-backend-wasm 4.22's is a scalar loop). */
export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: NAME,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput,
};
