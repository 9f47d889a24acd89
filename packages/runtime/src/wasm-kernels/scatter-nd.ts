import type {
  KernelBackend,
  KernelConfig,
  KernelFunc,
  ScatterNdAttrs,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import { stockKernel } from './stock-kernels.js';
import { callKernel, dispose, type WasmBackend } from './wasm-calls.js';

/** The error for index row `i` of `indices` (`depth` entries each), which does not index into `shape`. */
function badIndexRow(indices: Int32Array, i: number, depth: number, shape: number[]): Error {
  const row = Array.from(indices.subarray(i * depth, (i + 1) * depth));
  const j = row.findIndex((index, k) => index < 0 || index >= (shape[k] as number));
  return new Error(
    `ScatterNd on wasm: indices[${i}] = [${row.join(', ')}] does not index into shape ` +
      `[${shape.join(', ')}] (entry ${j} is ${row[j]}, not in [0, ${(shape[j] as number) - 1}])`,
  );
}

/**
 * `dst[Σ_j rows[i, j]·strides[j]·sliceSize + t] += src[i·sliceSize + t]` for every index row `i`
 * and `t < sliceSize`. Returns the first row with an entry `j` outside `[0, shape[j])`, or −1:
 * stricter than the cpu backend, which only checks the flat offset (and so lets `[0, 5]` into
 * `[3, 4]` wrap to row 1); tfjs-backend-wasm does not check at all.
 */
function scatterAdd(
  dst: Float32Array | Int32Array | Uint8Array,
  src: Float32Array | Int32Array | Uint8Array,
  rows: Int32Array,
  depth: number,
  sliceSize: number,
  strides: number[],
  shape: number[],
): number {
  const numUpdates = rows.length / depth;
  if (depth === 1 && sliceSize === 1) {
    const size = shape[0] as number;
    for (let i = 0; i < numUpdates; i++) {
      const o = rows[i] as number;
      if (o >>> 0 >= size) return i; // negative too
      dst[o] = (dst[o] as number) + (src[i] as number);
    }
    return -1;
  }
  for (let i = 0, p = 0, s = 0; i < numUpdates; i++) {
    let slice = 0;
    for (let j = 0; j < depth; j++, p++) {
      const index = rows[p] as number;
      if (index >>> 0 >= (shape[j] as number)) return i;
      slice += index * (strides[j] as number);
    }
    for (let o = slice * sliceSize, end = o + sliceSize; o < end; o++) {
      dst[o] = (dst[o] as number) + (src[s++] as number);
    }
  }
  return -1;
}

/**
 * `tf.scatterND(indices, updates, shape)` for the wasm backend: zeros of `shape`, then each
 * update slice added at the offset of its index row (duplicates add up, as on the cpu backend),
 * every index row checked against `shape` (the stock kernel writes wherever an index points).
 * float32 and int32 updates with int32 indices; anything else goes to the stock kernel.
 */
const scatterNd: KernelFunc = ({ inputs, backend: anyBackend, attrs }) => {
  const backend = anyBackend as KernelBackend;
  const { indices, updates } = inputs as { indices: TensorInfo; updates: TensorInfo };
  const { shape } = attrs as unknown as ScatterNdAttrs;
  const { sliceRank, sliceSize, strides, outputSize } = backend_util.calculateShapes(
    updates,
    indices,
    shape,
  );
  if (
    indices.dtype !== 'int32' ||
    (updates.dtype !== 'float32' && updates.dtype !== 'int32') ||
    sliceRank < 1
  ) {
    return callKernel(stockKernel('ScatterNd'), backend, inputs, attrs);
  }
  const wasm = backend as WasmBackend;
  const out = wasm.makeOutput(shape, updates.dtype);
  if (outputSize === 0) return out;
  // views taken after the allocation: growing the heap detaches earlier ones
  const dst = wasm.typedArrayFromHeap(out);
  const rows = wasm.typedArrayFromHeap(indices) as Int32Array;
  dst.fill(0);
  const bad = scatterAdd(
    dst,
    wasm.typedArrayFromHeap(updates),
    rows,
    sliceRank,
    sliceSize,
    strides,
    shape,
  );
  if (bad >= 0) {
    dispose(backend, out);
    throw badIndexRow(rows, bad, sliceRank, shape);
  }
  return out;
};

/** `ScatterNd` for the wasm backend: one pass over the updates, index rows checked. */
export const scatterNdConfig: KernelConfig = {
  kernelName: 'ScatterNd',
  backendName: 'wasm',
  kernelFunc: scatterNd,
};
