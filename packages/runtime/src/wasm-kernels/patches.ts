// im2col / col2im on the wasm heap, in JavaScript: the memory-bound halves of the
// matrix-product routes of the convolution gradients (the products run on XNNPACK).
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackend } from './wasm-calls.js';

/** The geometry of an NHWC convolution, as `backend_util.computeConv2DInfo` gives it. */
export interface ConvGeometry {
  batchSize: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  strideHeight: number;
  strideWidth: number;
  filterHeight: number;
  filterWidth: number;
  padInfo: { top: number; left: number };
}

/**
 * im2col: `patches[p, (kh, kw, ci)] = x[n, oh·sh + kh − top, ow·sw + kw − left, ci]` for the
 * output position `p = (n, oh, ow)` (0 outside `x`): shape `[N·OH·OW, KH·KW·CI]`.
 */
export function im2col(backend: WasmBackend, x: TensorInfo, g: ConvGeometry): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels: ci, outHeight, outWidth } = g;
  const { strideHeight, strideWidth, filterHeight, filterWidth, padInfo } = g;
  const rowLength = filterHeight * filterWidth * ci;
  const out = backend.makeOutput([batchSize * outHeight * outWidth, rowLength], 'float32');
  const src = backend.typedArrayFromHeap(x) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  let o = 0;
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - padInfo.top;
      for (let ow = 0; ow < outWidth; ow++) {
        const w0 = ow * strideWidth - padInfo.left;
        for (let kh = 0; kh < filterHeight; kh++) {
          const h = h0 + kh;
          if (h < 0 || h >= inHeight) {
            dst.fill(0, o, o + filterWidth * ci);
            o += filterWidth * ci;
            continue;
          }
          const rowBase = (n * inHeight + h) * inWidth;
          for (let kw = 0; kw < filterWidth; kw++) {
            const w = w0 + kw;
            if (w < 0 || w >= inWidth) {
              dst.fill(0, o, o + ci);
            } else if (ci === 1) {
              dst[o] = src[rowBase + w] as number;
            } else {
              const s = (rowBase + w) * ci;
              dst.set(src.subarray(s, s + ci), o);
            }
            o += ci;
          }
        }
      }
    }
  }
  return out;
}

/**
 * col2im, the adjoint of {@link im2col}: `dx[n, oh·sh + kh − top, ow·sw + kw − left, ci] +=
 * cols[p, (kh, kw, ci)]`, dropping what falls outside: shape `[N, H, W, CI]`.
 */
export function col2im(backend: WasmBackend, cols: TensorInfo, g: ConvGeometry): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels: ci, outHeight, outWidth } = g;
  const { strideHeight, strideWidth, filterHeight, filterWidth, padInfo } = g;
  const out = backend.makeOutput([batchSize, inHeight, inWidth, ci], 'float32');
  const src = backend.typedArrayFromHeap(cols) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  dst.fill(0);
  let o = 0;
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - padInfo.top;
      for (let ow = 0; ow < outWidth; ow++) {
        const w0 = ow * strideWidth - padInfo.left;
        for (let kh = 0; kh < filterHeight; kh++) {
          const h = h0 + kh;
          if (h < 0 || h >= inHeight) {
            o += filterWidth * ci;
            continue;
          }
          const rowBase = (n * inHeight + h) * inWidth;
          for (let kw = 0; kw < filterWidth; kw++) {
            const w = w0 + kw;
            if (w >= 0 && w < inWidth) {
              const d = (rowBase + w) * ci;
              for (let c = 0; c < ci; c++)
                dst[d + c] = (dst[d + c] as number) + (src[o + c] as number);
            }
            o += ci;
          }
        }
      }
    }
  }
  return out;
}
