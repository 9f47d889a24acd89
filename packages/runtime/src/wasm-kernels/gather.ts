import type {
  GatherV2Attrs,
  KernelBackend,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { backend_util, util } from '@tensorflow/tfjs-core';
import { stockKernel } from './stock-kernels.js';
import { callKernel, type WasmBackend } from './wasm-calls.js';

/** A typed array on the wasm heap, as `typedArrayFromHeap` returns it. */
type HeapArray = Float32Array | Int32Array | Uint8Array;

/**
 * Slices shorter than this are copied element by element; longer ones with one `copyWithin` on
 * the whole heap (a memmove, no allocation). Measured here: the loop wins below ~16 elements.
 */
const ROW_COPY_MIN = 16;

/** The whole wasm heap with `array`'s element type: `array[i]` is its `byteOffset / BYTES_PER_ELEMENT + i`. */
function wholeHeap(array: HeapArray): HeapArray {
  if (array instanceof Float32Array) return new Float32Array(array.buffer);
  if (array instanceof Int32Array) return new Int32Array(array.buffer);
  return new Uint8Array(array.buffer);
}

/** Throws, as tfjs's cpu and wasm kernels do, unless every index is in `[0, axisDim)`. */
function checkIndices(indices: Int32Array, axisDim: number): void {
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i] as number;
    if (index < 0 || index >= axisDim) {
      throw new Error(`GatherV2: the index value ${index} is not in [0, ${axisDim - 1}]`);
    }
  }
}

/** How `x` is viewed around the gathered axis: `[batch, outer, axisDim, inner]`. */
interface GatherLayout {
  batch: number;
  outer: number;
  axisDim: number;
  inner: number;
}

/**
 * `dst[o, j, :] = src[o, indices[j], :]` for `src` of shape `[outer, axisDim, inner]` and `dst`
 * of shape `[outer, indices.length, inner]`: an indexed loop for short slices (columns), one
 * `copyWithin` per slice for long ones (rows).
 */
function gatherSlices(
  src: HeapArray,
  dst: HeapArray,
  indices: Int32Array,
  { outer, axisDim, inner }: GatherLayout,
): void {
  const n = indices.length;
  const block = axisDim * inner;
  if (inner === 1) {
    for (let o = 0, d = 0, base = 0; o < outer; o++, base += block) {
      for (let j = 0; j < n; j++) dst[d++] = src[base + (indices[j] as number)] as number;
    }
  } else if (inner < ROW_COPY_MIN) {
    for (let o = 0, d = 0, base = 0; o < outer; o++, base += block) {
      for (let j = 0; j < n; j++) {
        let s = base + (indices[j] as number) * inner;
        const end = s + inner;
        while (s < end) dst[d++] = src[s++] as number;
      }
    }
  } else {
    const heap = wholeHeap(dst);
    let d = dst.byteOffset / dst.BYTES_PER_ELEMENT;
    for (let o = 0, base = src.byteOffset / src.BYTES_PER_ELEMENT; o < outer; o++, base += block) {
      for (let j = 0; j < n; j++, d += inner) {
        const s = base + (indices[j] as number) * inner;
        heap.copyWithin(d, s, s + inner);
      }
    }
  }
}

/** {@link gatherSlices} for each batch: `indices` is `[batch, n]`, `dst` `[batch, outer, n, inner]`. */
function gatherBatches(
  src: HeapArray,
  dst: HeapArray,
  indices: Int32Array,
  layout: GatherLayout,
): void {
  const { batch, outer, axisDim, inner } = layout;
  if (batch === 1) {
    gatherSlices(src, dst, indices, layout);
    return;
  }
  const n = indices.length / batch;
  for (let b = 0; b < batch; b++) {
    const s = b * outer * axisDim * inner;
    const d = b * outer * n * inner;
    gatherSlices(
      src.subarray(s, s + outer * axisDim * inner),
      dst.subarray(d, d + outer * n * inner),
      indices.subarray(b * n, (b + 1) * n),
      layout,
    );
  }
}

/**
 * `tf.gather(x, indices, axis, batchDims)` for the wasm backend. tfjs-backend-wasm 4.22's
 * GatherV2 computes every output element's source position separately (~25–30 ns an element,
 * slower than `tf.slice`), and with `batchDims` ≠ 0 can read the wrong elements; this one views
 * `x` as `[batch, outer, axisDim, inner]` around the axis and copies whole slices (rows) or runs
 * one indexed loop (columns). float32, int32 and bool `x` with int32 indices; other dtypes go to
 * the stock kernel.
 */
const gatherV2: KernelFunc = ({ inputs, backend: anyBackend, attrs }) => {
  const backend = anyBackend as KernelBackend;
  const { x, indices } = inputs as { x: TensorInfo; indices: TensorInfo };
  const { axis, batchDims } = attrs as unknown as GatherV2Attrs;
  if (
    indices.dtype !== 'int32' ||
    (x.dtype !== 'float32' && x.dtype !== 'int32' && x.dtype !== 'bool')
  ) {
    return callKernel(stockKernel('GatherV2'), backend, inputs, attrs);
  }
  const wasm = backend as WasmBackend;
  const parsedAxis = util.parseAxisParam(axis, x.shape)[0] as number;
  const info = backend_util.segment_util.collectGatherOpShapeInfo(
    x,
    indices,
    parsedAxis,
    batchDims ?? 0,
  );
  checkIndices(wasm.typedArrayFromHeap(indices) as Int32Array, info.dimSize);
  const out = wasm.makeOutput(info.outputShape, x.dtype);
  const layout: GatherLayout = {
    batch: info.batchSize,
    outer: info.outerSize,
    axisDim: info.dimSize,
    inner: info.sliceSize,
  };
  // views taken after the allocation: growing the heap detaches earlier ones
  const dst = wasm.typedArrayFromHeap(out);
  if (dst.length > 0) {
    gatherBatches(
      wasm.typedArrayFromHeap(x),
      dst,
      wasm.typedArrayFromHeap(indices) as Int32Array,
      layout,
    );
  }
  return out;
};

/** `GatherV2` for the wasm backend: slice copies instead of one index computation per element. */
export const gatherV2Config: KernelConfig = {
  kernelName: 'GatherV2',
  backendName: 'wasm',
  kernelFunc: gatherV2,
};
