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
 * output position `p = (n, oh, ow)` (0 outside `x`): shape `[N·OH·OW, KH·KW·CI]`. The taps of
 * one filter row that fall inside the image are adjacent in both: one copy each.
 */
export function im2col(backend: WasmBackend, x: TensorInfo, g: ConvGeometry): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels: ci, outHeight, outWidth } = g;
  const { strideHeight, strideWidth, filterHeight, filterWidth, padInfo } = g;
  const rowLength = filterWidth * ci;
  const out = backend.makeOutput(
    [batchSize * outHeight * outWidth, filterHeight * rowLength],
    'float32',
  );
  const src = backend.typedArrayFromHeap(x) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  let o = 0;
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - padInfo.top;
      for (let ow = 0; ow < outWidth; ow++) {
        const w0 = ow * strideWidth - padInfo.left;
        const kwBegin = Math.max(0, -w0);
        const kwEnd = Math.max(kwBegin, Math.min(filterWidth, inWidth - w0));
        for (let kh = 0; kh < filterHeight; kh++, o += rowLength) {
          const h = h0 + kh;
          if (h < 0 || h >= inHeight || kwBegin === kwEnd) {
            dst.fill(0, o, o + rowLength);
            continue;
          }
          if (kwBegin > 0) dst.fill(0, o, o + kwBegin * ci);
          const s = ((n * inHeight + h) * inWidth + w0 + kwBegin) * ci;
          const length = (kwEnd - kwBegin) * ci;
          const d = o + kwBegin * ci;
          if (length < 32) {
            for (let j = 0; j < length; j++) dst[d + j] = src[s + j] as number;
          } else {
            dst.set(src.subarray(s, s + length), d);
          }
          if (kwEnd < filterWidth) dst.fill(0, d + length, o + rowLength);
        }
      }
    }
  }
  return out;
}

/**
 * `dst[d + j] += src[o + j]` for `j < length`, unrolled by 8 (V8 runs this about twice as fast
 * as the plain loop on the ConvNet's shapes).
 */
function addRun(dst: Float32Array, d: number, src: Float32Array, o: number, length: number): void {
  const end = o + length - (length % 8);
  for (; o < end; o += 8, d += 8) {
    dst[d] = (dst[d] as number) + (src[o] as number);
    dst[d + 1] = (dst[d + 1] as number) + (src[o + 1] as number);
    dst[d + 2] = (dst[d + 2] as number) + (src[o + 2] as number);
    dst[d + 3] = (dst[d + 3] as number) + (src[o + 3] as number);
    dst[d + 4] = (dst[d + 4] as number) + (src[o + 4] as number);
    dst[d + 5] = (dst[d + 5] as number) + (src[o + 5] as number);
    dst[d + 6] = (dst[d + 6] as number) + (src[o + 6] as number);
    dst[d + 7] = (dst[d + 7] as number) + (src[o + 7] as number);
  }
  for (let e = end + (length % 8); o < e; o++, d++) {
    dst[d] = (dst[d] as number) + (src[o] as number);
  }
}

/**
 * col2im, the adjoint of {@link im2col}: `dx[n, oh·sh + kh − top, ow·sw + kw − left, ci] +=
 * cols[p, (kh, kw, ci)]`, dropping what falls outside: shape `[N, H, W, CI]`. The taps of one
 * filter row that fall inside the image are adjacent in both `cols` and `dx`: one run each.
 */
export function col2im(backend: WasmBackend, cols: TensorInfo, g: ConvGeometry): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels: ci, outHeight, outWidth } = g;
  const { strideHeight, strideWidth, filterHeight, filterWidth, padInfo } = g;
  const out = backend.makeOutput([batchSize, inHeight, inWidth, ci], 'float32');
  const src = backend.typedArrayFromHeap(cols) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  dst.fill(0);
  const rowLength = filterWidth * ci;
  let o = 0;
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - padInfo.top;
      for (let ow = 0; ow < outWidth; ow++) {
        const w0 = ow * strideWidth - padInfo.left;
        const kwBegin = Math.max(0, -w0);
        const kwEnd = Math.min(filterWidth, inWidth - w0);
        for (let kh = 0; kh < filterHeight; kh++, o += rowLength) {
          const h = h0 + kh;
          if (h < 0 || h >= inHeight || kwBegin >= kwEnd) continue;
          const d = ((n * inHeight + h) * inWidth + w0 + kwBegin) * ci;
          addRun(dst, d, src, o + kwBegin * ci, (kwEnd - kwBegin) * ci);
        }
      }
    }
  }
  return out;
}
