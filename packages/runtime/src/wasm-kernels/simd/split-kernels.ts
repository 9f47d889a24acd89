// The hook through which a wasm backend's SIMD kernels run on several threads (Node.js:
// gemm-threads.ts); no Node.js module here, so the kernels stay usable in a browser.
import { findBackend, getBackend, type TensorInfo } from '@tensorflow/tfjs-core';
import { dispose, type WasmBackend } from '../wasm-calls.js';
import { heapOffset, type SimdKernels } from './instance.js';
import type { RangeKernel } from './range-kernels.js';

/** One call of a {@link RangeKernel} over all of its range, `[0, total)`. */
export interface RangeCall {
  kernel: RangeKernel;
  /** The kernel's arguments after `(scratch, begin, end)`: heap offsets, sizes, flags. */
  args: number[];
  /** The range's length (a product's tiles, columns, output positions, images, rows). */
  total: number;
  /** Shares start at multiples of this (8: a panel of columns; 4: a SIMD vector; a chunk of positions). */
  unit: number;
  /** Multiply-adds of the whole call: what decides whether sharing it pays. */
  work: number;
  /** Floats of scratch the kernel needs on each thread. */
  scratchFloats: number;
  /**
   * One chunk per thread, as even as the units allow: for kernels that repeat, in every chunk,
   * work shared by the whole call (the patches of all positions, a transposed filter). Else
   * the call is cut into finer chunks that the threads balance among themselves.
   */
  even?: boolean;
}

/** Runs range kernels as one call on several threads. */
export interface KernelThreads {
  /** All threads of a call, the calling one included. */
  readonly threads: number;
  /**
   * Computes `call` over its whole range (on the calling thread alone when it is too small to
   * share); `scratch`: heap offset of `threads × call.scratchFloats` floats, one block each.
   */
  run(call: RangeCall, scratch: number): void;
}

const split = new WeakMap<object, KernelThreads>();
let threadsEnabled = true;

/**
 * Turns the sharing of the wasm backend's kernels among its threads on (the default) or off.
 * Off, a backend started with `startWasmBackend({ threads })` computes every product and
 * convolution on the calling thread alone, exactly as with `threads: 1` (its threads sleep):
 * for comparisons in one process (`pnpm bench --threads`), and for a section of a program that
 * runs beside other busy threads (a `DataParallelTrainer`'s). Read at every kernel call, so it
 * may be switched between calls.
 */
export function setWasmThreadsEnabled(on: boolean): void {
  threadsEnabled = on;
}

/** Whether the wasm backend's kernels are shared among its threads: see {@link setWasmThreadsEnabled}. */
export function wasmThreadsEnabled(): boolean {
  return threadsEnabled;
}

/**
 * Threads the running wasm backend shares its products and convolutions among
 * (`startWasmBackend({ threads })`), switched on or not (see {@link setWasmThreadsEnabled}): 1
 * when it has none of its own, or when another backend is active.
 */
export function wasmKernelThreads(): number {
  if (getBackend() !== 'wasm') return 1;
  const backend = findBackend('wasm');
  return (backend && split.get(backend)?.threads) ?? 1;
}

/** The threads that run `backend`'s range kernels, if it has any (and they are switched on). */
export function kernelThreadsOf(backend: object): KernelThreads | undefined {
  return threadsEnabled ? split.get(backend) : undefined;
}

/** Makes `threads` run `backend`'s range kernels from now on (`undefined`: its thread alone). */
export function setKernelThreads(backend: object, threads: KernelThreads | undefined): void {
  if (threads) split.set(backend, threads);
  else split.delete(backend);
}

/**
 * Runs `calls` one after the other, each on `backend`'s threads if it has any (see
 * {@link setKernelThreads}), else on the calling thread, with scratch made for them and freed
 * after them (none when they need none: the element-wise kernels, whose calls are many and
 * small).
 */
export function runRangeKernels(
  backend: WasmBackend,
  kernels: SimdKernels,
  calls: readonly RangeCall[],
): void {
  const threads = kernelThreadsOf(backend);
  const floats = calls.reduce((most, call) => Math.max(most, call.scratchFloats), 0);
  const scratch: TensorInfo | undefined =
    floats > 0 ? backend.makeOutput([floats * (threads?.threads ?? 1)], 'float32') : undefined;
  try {
    const offset = scratch ? heapOffset(backend, scratch) : 0;
    for (const call of calls) {
      if (threads) threads.run({ ...call, scratchFloats: floats }, offset);
      else kernels[call.kernel](offset, 0, call.total, ...call.args);
    }
  } finally {
    if (scratch) dispose(backend, scratch);
  }
}
