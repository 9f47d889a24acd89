import type { SimdKernels } from './instance.js';

// The shared control block of the GEMM threads (gemm-threads.ts, gemm-thread.ts): an
// Int32Array over a SharedArrayBuffer, read and written with Atomics, and beside it one
// BigInt64 slot, the claim counter.
//
// A product is cut into chunks of whole 8-column panels. The main thread writes the product's
// arguments, sets the claim counter to (job, 0), bumps JOB and takes chunks itself; each
// thread that sees the new job takes chunks too, by a compare-exchange that succeeds only
// while the counter still carries that job's number, so a thread that wakes late can neither
// take a chunk of a later product nor read its arguments half-written (they are rewritten only
// after every chunk of the product is done and its counter closed). A stalled thread (the OS ran something else on
// its core) delays the product by at most the one chunk it holds.

/** Bumped by the main thread for every product it hands out. */
export const JOB = 0;
/** Chunks of the current product done, by any thread. */
export const FINISHED = 1;
/** Set by a thread whose chunk failed (a trap); read by the main thread after the product. */
export const FAILED = 2;
/** Set once: the threads leave their loops. */
export const STOP = 3;
/**
 * The product's arguments: a, b, c, bias (heap offsets), m, k, n, aT, bT, activation, then the
 * number of chunks and the columns of one chunk.
 */
export const ARGS = 4;
/** Int32 slots of the block (the claim counter follows them, 8-byte aligned). */
export const CONTROL_SLOTS = 16;
/** Bytes of the whole block. */
export const CONTROL_BYTES = 4 * CONTROL_SLOTS + 8;
/** How long a thread spins for the next product before it sleeps, milliseconds. */
export const SPIN_MS = 2;

/** The claim counter's chunk once a product is done: no claim of that product succeeds after. */
export const CLOSED = 0x7fffffff;

/** The claim counter: job number · 2³² + next chunk. */
export function claimCounter(buffer: SharedArrayBuffer): BigInt64Array {
  return new BigInt64Array(buffer, 4 * CONTROL_SLOTS, 1);
}

/**
 * Takes the next chunk of product `job`: its index, or −1 when none is left or the counter has
 * moved on to another product.
 */
export function claimChunk(claims: BigInt64Array, job: number, chunks: number): number {
  const tag = BigInt(job) << 32n;
  for (;;) {
    const value = Atomics.load(claims, 0);
    if (value >> 32n !== BigInt(job)) return -1;
    const chunk = Number(value - tag);
    if (chunk >= chunks) return -1;
    if (Atomics.compareExchange(claims, 0, value, value + 1n) === value) return chunk;
  }
}

/**
 * Takes chunks of product `job` until none is left, computing each on `kernels` with `scratch`
 * and counting it in FINISHED (a chunk that traps sets FAILED and is counted all the same, so
 * the main thread never waits for it). The same loop runs on the main thread and on every GEMM
 * thread.
 */
export function takeChunks(
  kernels: SimdKernels,
  control: Int32Array,
  claims: BigInt64Array,
  job: number,
  scratch: number,
): void {
  const chunks = Atomics.load(control, ARGS + 10);
  let chunk = claimChunk(claims, job, chunks);
  if (chunk < 0) return;
  // the first claim succeeded: the arguments are this job's until its chunks are all done
  const [a, b, c, bias, m, k, n, aT, bT, activation, , width] = control.subarray(
    ARGS,
    ARGS + 12,
  ) as unknown as number[];
  for (; chunk >= 0; chunk = claimChunk(claims, job, chunks)) {
    const begin = chunk * width!;
    const end = Math.min(n!, begin + width!);
    try {
      kernels.mat_mul_columns(
        a!,
        b!,
        c!,
        scratch,
        bias!,
        m!,
        k!,
        n!,
        aT!,
        bT!,
        activation!,
        begin,
        end,
      );
    } catch {
      Atomics.store(control, FAILED, 1);
    }
    Atomics.add(control, FINISHED, 1);
    Atomics.notify(control, FINISHED);
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
  /** Heap offset of this thread's GEMM scratch. */
  scratch: number;
}
