import type { KernelConfig, KernelFunc, MaxPoolGradAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { backend_util, util } from '@tensorflow/tfjs-core';
import { requireFloat32, requireShape } from './checks.js';
import { heapOffsets, simdKernels } from './simd/instance.js';
import { runRangeKernels } from './simd/split-kernels.js';
import type { WasmBackend } from './wasm-calls.js';

const NAME = 'MaxPoolGrad';

/** Whether the pooling windows tile the input: stride = window, no padding, nothing left over. */
export function tiles(info: backend_util.Conv2DInfo): boolean {
  const { strideHeight, strideWidth, filterHeight, filterWidth, padInfo } = info;
  return (
    strideHeight === filterHeight &&
    strideWidth === filterWidth &&
    padInfo.top === 0 &&
    padInfo.left === 0 &&
    info.outHeight * filterHeight === info.inHeight &&
    info.outWidth * filterWidth === info.inWidth
  );
}

/**
 * The gradient of `tf.maxPool` (NHWC): each output's `dy` goes to the first largest input of
 * its window (row-major), exactly as the `cpu` backend does. tfjs-backend-wasm 4.22's own
 * kernel starts its running maximum at `FLT_MIN` (the smallest *positive* float) instead of
 * −∞, so a window whose inputs are all ≤ 0 sends its gradient to the tensor's first element or
 * drops it. One pass over the windows on the wasm heap, channels innermost: for the common
 * 2×2 / stride 2 pooling with a channel count divisible by 4, in WebAssembly SIMD (`kernels.c`,
 * four channels at a time, ~5–10× faster); otherwise in JavaScript.
 */
const maxPoolGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
  requireFloat32(NAME, { dy, input });
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, filterHeight, filterWidth, padInfo } = info;
  requireShape(NAME, 'dy', dy, [batchSize, outHeight, outWidth, channels]);

  const wasm = backend as WasmBackend;
  const dx = wasm.makeOutput(input.shape, 'float32');
  const tiled2x2 = tiles(info) && filterHeight === 2 && filterWidth === 2;
  const simd = tiled2x2 && channels % 4 === 0 ? simdKernels(wasm) : undefined;
  if (simd) {
    // rows of windows, shared among the backend's threads where it has them
    runRangeKernels(wasm, simd, [
      {
        kernel: 'max_pool_grad_2x2_rows',
        args: [...heapOffsets(wasm, input, dy, dx), outWidth, channels],
        total: batchSize * outHeight,
        unit: 1,
        work: util.sizeFromShape(input.shape),
        scratchFloats: 0,
      },
    ]);
    return dx;
  }
  // views after the allocation: a growing heap detaches older views
  const x = wasm.typedArrayFromHeap(input) as Float32Array;
  const g = wasm.typedArrayFromHeap(dy) as Float32Array;
  const out = wasm.typedArrayFromHeap(dx) as Float32Array;
  const rowStride = inWidth * channels;
  if (tiled2x2) {
    // the common 2×2 / stride 2 pooling, unrolled; ties go to the first maximum (row-major)
    let gOffset = 0;
    for (let n = 0; n < batchSize; n++) {
      for (let oh = 0; oh < outHeight; oh++) {
        const top = (n * inHeight + 2 * oh) * rowStride;
        for (let ow = 0; ow < outWidth; ow++) {
          const i0 = top + 2 * ow * channels;
          const i2 = i0 + rowStride;
          for (let c = 0; c < channels; c++) {
            const a = i0 + c;
            const b = a + channels;
            const d = i2 + c;
            const e = d + channels;
            const va = x[a] as number;
            const vb = x[b] as number;
            const vd = x[d] as number;
            const ve = x[e] as number;
            out[a] = 0;
            out[b] = 0;
            out[d] = 0;
            out[e] = 0;
            let best = Number.NEGATIVE_INFINITY;
            let at = -1;
            if (va > best) {
              best = va;
              at = a;
            }
            if (vb > best) {
              best = vb;
              at = b;
            }
            if (vd > best) {
              best = vd;
              at = d;
            }
            if (ve > best) at = e;
            if (at >= 0) out[at] = g[gOffset + c] as number;
          }
          gOffset += channels;
        }
      }
    }
    return dx;
  }
  if (tiles(info)) {
    // the windows tile the input: every input element is written exactly once
    let gOffset = 0;
    for (let n = 0; n < batchSize; n++) {
      for (let oh = 0; oh < outHeight; oh++) {
        const top = (n * inHeight + oh * filterHeight) * rowStride;
        for (let ow = 0; ow < outWidth; ow++) {
          const corner = top + ow * filterWidth * channels;
          for (let c = 0; c < channels; c++) {
            let best = Number.NEGATIVE_INFINITY;
            let at = -1;
            for (let h = 0; h < filterHeight; h++) {
              const row = corner + h * rowStride + c;
              for (let w = 0; w < filterWidth; w++) {
                const i = row + w * channels;
                const v = x[i] as number;
                out[i] = 0;
                if (v > best) {
                  best = v;
                  at = i;
                }
              }
            }
            if (at >= 0) out[at] = g[gOffset + c] as number;
          }
          gOffset += channels;
        }
      }
    }
    return dx;
  }
  out.fill(0);
  let gOffset = 0;
  for (let n = 0; n < batchSize; n++) {
    const image = n * inHeight * rowStride;
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - padInfo.top;
      const hBegin = Math.max(h0, 0);
      const hEnd = Math.min(h0 + filterHeight, inHeight);
      for (let ow = 0; ow < outWidth; ow++) {
        const w0 = ow * strideWidth - padInfo.left;
        const wBegin = Math.max(w0, 0);
        const wEnd = Math.min(w0 + filterWidth, inWidth);
        for (let c = 0; c < channels; c++) {
          let best = Number.NEGATIVE_INFINITY;
          let at = -1;
          for (let h = hBegin; h < hEnd; h++) {
            const row = image + h * rowStride + c;
            for (let w = wBegin; w < wEnd; w++) {
              const i = row + w * channels;
              const v = x[i] as number;
              if (v > best) {
                best = v;
                at = i;
              }
            }
          }
          if (at >= 0) out[at] = (out[at] as number) + (g[gOffset + c] as number);
        }
        gOffset += channels;
      }
    }
  }
  return dx;
};

/** `MaxPoolGrad` for the wasm backend: the `cpu` backend's semantics, also for inputs ≤ 0. */
export const maxPoolGradConfig: KernelConfig = {
  kernelName: NAME,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad,
};
