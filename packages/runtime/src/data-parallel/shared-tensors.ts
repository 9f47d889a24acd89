import * as tf from '@tensorflow/tfjs-core';
import type { WasmBackend } from '../wasm-kernels/wasm-calls.js';

/**
 * Where each tensor of a fixed list lies in one contiguous float32 region: tensor `i` is
 * `region.subarray(offsets[i], offsets[i] + sizes[i])`. Weights and gradients travel between
 * the threads through such regions, in `SharedArrayBuffer`s allocated once.
 */
export class TensorLayout {
  /** The shapes, in list order. */
  readonly shapes: readonly number[][];
  /** The number of entries of each tensor. */
  readonly sizes: readonly number[];
  /** Where each tensor starts, in entries. */
  readonly offsets: readonly number[];
  /** The entries of all tensors together. */
  readonly total: number;

  constructor(shapes: readonly number[][]) {
    this.shapes = shapes.map((s) => [...s]);
    this.sizes = shapes.map((s) => s.reduce((a, b) => a * b, 1));
    const offsets: number[] = [];
    let total = 0;
    for (const size of this.sizes) {
      offsets.push(total);
      total += size;
    }
    this.offsets = offsets;
    this.total = total;
  }

  /** A new zeroed region for this layout, shared between threads. */
  allocate(): Float32Array {
    return new Float32Array(new SharedArrayBuffer(this.total * Float32Array.BYTES_PER_ELEMENT));
  }

  /** Tensor `i`'s entries in `region` (a view, not a copy). */
  view(region: Float32Array, i: number): Float32Array {
    const offset = this.offsets[i]!;
    return region.subarray(offset, offset + this.sizes[i]!);
  }

  /** Copies the values of `tensors` (in list order) into `region`. */
  async write(region: Float32Array, tensors: readonly tf.Tensor[]): Promise<void> {
    const values = await Promise.all(tensors.map((t) => t.data()));
    values.forEach((v, i) => {
      this.view(region, i).set(v as Float32Array);
    });
  }
}

/**
 * A tensor holding a copy of `values` (a view into a shared region, which the other threads
 * overwrite later). The `cpu` backend keeps the array it is given instead of copying it, so it
 * gets a copy; the others copy into their own memory anyway.
 */
export function tensorFromShared(
  values: Float32Array | Int32Array,
  shape: number[],
  dtype: 'float32' | 'int32' = 'float32',
): tf.Tensor {
  return tf.tensor(tf.getBackend() === 'cpu' ? values.slice() : values, shape, dtype);
}

/**
 * The entries of `tensor`, to be copied at once (before the next tfjs call): on `wasm` a view
 * of the backend's own memory (no copy, no allocation: a step publishes megabytes, and every
 * allocated buffer adds to the garbage collector's work in every thread), elsewhere
 * `dataSync()`.
 */
export function entriesOf(tensor: tf.Tensor): Float32Array | Int32Array {
  if (tf.getBackend() === 'wasm') {
    return (tf.backend() as unknown as WasmBackend).typedArrayFromHeap(tensor) as Float32Array;
  }
  return tensor.dataSync() as Float32Array | Int32Array;
}
