import type { SimdKernels } from './instance.js';
import { RANGE_KERNELS } from './range-kernels.js';

// The shared control block of the GEMM threads (gemm-threads.ts, gemm-thread.ts): Int32 slots
// over a SharedArrayBuffer, read and written with Atomics, then the call's arguments as
// float64 (integers and the floats of the optimizer steps alike), then one BigInt64 slot, the
// claim counter.
//
// A call of a range kernel (split-kernels.ts: a product's columns, a convolution's output
// positions or images...) is cut into chunks of its range. The main thread writes the call's
// arguments, sets the claim counter to (job, first 0, end chunks), bumps JOB and takes chunks
// from the front; the other threads take them from the back. So each thread's share is one
// contiguous block (two threads never write neighbouring columns of one row, which share cache
// lines), and where a thread starts late or runs slow, the other takes more. A claim is a
// compare-exchange that succeeds only while the counter still carries that call's number, so a
// thread that wakes late can neither take a chunk of a later call nor read its arguments
// half-written (they are rewritten only after every chunk of the call is done and its counter
// closed).

/** Bumped by the main thread for every product it hands out. */
export const JOB = 0;
/** Chunks of the current product done, by any thread. */
export const FINISHED = 1;
/** Set by a thread whose chunk failed (a trap); read by the main thread after the product. */
export const FAILED = 2;
/** Set once: the threads leave their loops. */
export const STOP = 3;
/** 1 while the main thread sleeps on FINISHED: a thread that counts a chunk then wakes it. */
export const MAIN_SLEEPS = 4;
/** GEMM threads sleeping on JOB: the main thread wakes them when it hands out a product. */
export const THREADS_SLEEP = 5;
/** The call's kernel: its index in RANGE_KERNELS. */
export const KERNEL = 6;
/** The length of the call's range. */
export const TOTAL = 7;
/** The length of the range's unit: chunks start at multiples of it. */
export const UNIT = 8;
/** Heap offset of the first thread's scratch; thread i's is SCRATCH_BYTES · i past it. */
export const SCRATCH = 9;
/** Bytes of scratch per thread. */
export const SCRATCH_BYTES = 10;
/** How many of the call's arguments the argument block holds (see {@link ControlBlock}). */
export const ARG_COUNT = 11;
/** Chunks the GEMM threads (not the main thread) have computed since they started. */
export const THREAD_CHUNKS = 12;
/** How many chunks the call is cut into: chunk c is units [⌊c·U/C⌋, ⌊(c+1)·U/C⌋) of U. */
export const CHUNKS = 13;
/** Int32 slots of the block (an even number: the float64 arguments follow them). */
export const CONTROL_SLOTS = 14;
/** Arguments a call may have at most (after scratch, begin, end). */
export const MAX_ARGS = 24;
/** Bytes of the whole block: the slots, the arguments, the claim counter. */
export const CONTROL_BYTES = 4 * CONTROL_SLOTS + 8 * MAX_ARGS + 8;
/** How long a thread spins for the next product before it sleeps, milliseconds. */
export const SPIN_MS = 2;
/** Chunks of one product at most (16 bits of the claim counter each for first and end). */
export const MAX_CHUNKS = 0xffff;

/** The views of one control block that every thread reads. */
export interface ControlBlock {
  /** The Int32 slots (JOB, FINISHED, …). */
  control: Int32Array;
  /** The call's arguments after (scratch, begin, end): ARG_COUNT of them. */
  args: Float64Array;
  /** The claim counter: job number · 2³² + first chunk left · 2¹⁶ + end of the chunks left. */
  claims: BigInt64Array;
}

/** The views of the control block in `buffer` (CONTROL_BYTES long). */
export function controlBlock(buffer: SharedArrayBuffer): ControlBlock {
  return {
    control: new Int32Array(buffer, 0, CONTROL_SLOTS),
    args: new Float64Array(buffer, 4 * CONTROL_SLOTS, MAX_ARGS),
    claims: new BigInt64Array(buffer, 4 * CONTROL_SLOTS + 8 * MAX_ARGS, 1),
  };
}

/** The claim counter of product `job` with chunks [first, end) left. */
export function claimValue(job: number, first: number, end: number): bigint {
  return (BigInt(job) << 32n) | BigInt(first * 0x10000 + end);
}

/**
 * Takes the next chunk of product `job` from the front (`fromBack` false: the main thread) or
 * from the back: its index, or −1 when none is left or the counter has moved on to another
 * product.
 */
export function claimChunk(claims: BigInt64Array, job: number, fromBack: boolean): number {
  const tag = BigInt(job);
  for (;;) {
    const value = Atomics.load(claims, 0);
    if (value >> 32n !== tag) return -1;
    const left = Number(value & 0xffffffffn);
    const first = left >>> 16;
    const end = left & 0xffff;
    if (first >= end) return -1;
    const next = fromBack ? value - 1n : value + 0x10000n;
    if (Atomics.compareExchange(claims, 0, value, next) === value)
      return fromBack ? end - 1 : first;
  }
}

/**
 * The range `[begin, end)` of chunk `chunk` of a call of `total` cut into `chunks` chunks of
 * whole units (`units` of length `unit`, the last one shorter when `unit` does not divide
 * `total`): as even as the units allow, the larger chunks spread among the smaller ones.
 */
export function chunkRange(
  chunk: number,
  chunks: number,
  units: number,
  unit: number,
  total: number,
): [number, number] {
  const first = Math.floor((chunk * units) / chunks);
  const end = Math.floor(((chunk + 1) * units) / chunks);
  return [first * unit, Math.min(total, end * unit)];
}

/**
 * Takes chunks of call `job` until none is left (from the front on the main thread, thread 0,
 * from the back on a GEMM thread), computing each on `kernels` with thread `index`'s scratch and
 * counting it in FINISHED (a chunk that traps sets FAILED and is counted all the same, so the
 * main thread never waits for it). The same loop runs on the main thread and on every GEMM
 * thread.
 */
export function takeChunks(
  kernels: SimdKernels,
  { control, args: block, claims }: ControlBlock,
  job: number,
  index: number,
): void {
  const fromBack = index > 0;
  let chunk = claimChunk(claims, job, fromBack);
  if (chunk < 0) return;
  // the first claim succeeded: the arguments are this job's until its chunks are all done
  const kernel = kernels[RANGE_KERNELS[control[KERNEL]!]!];
  const total = control[TOTAL]!;
  const unit = control[UNIT]!;
  const units = Math.ceil(total / unit);
  const chunks = control[CHUNKS]!;
  const scratch = control[SCRATCH]! + index * control[SCRATCH_BYTES]!;
  const args = Array.from(block.subarray(0, control[ARG_COUNT]!));
  for (; chunk >= 0; chunk = claimChunk(claims, job, fromBack)) {
    const [begin, end] = chunkRange(chunk, chunks, units, unit, total);
    try {
      kernel(scratch, begin, end, ...args);
    } catch {
      Atomics.store(control, FAILED, 1);
    }
    if (fromBack) Atomics.add(control, THREAD_CHUNKS, 1);
    Atomics.add(control, FINISHED, 1);
    if (Atomics.load(control, MAIN_SLEEPS) === 1) Atomics.notify(control, FINISHED);
  }
}

/** What a GEMM thread is started with (its `workerData`). */
export interface GemmThreadData {
  /** The backend's heap: a shared `WebAssembly.Memory`. */
  memory: object;
  /** The SIMD kernels' module compiled for that memory. */
  module: object;
  /** The control block's buffer. */
  control: SharedArrayBuffer;
  /** This thread's number, from 1 (the main thread is 0): which scratch of a call is its own. */
  index: number;
}
