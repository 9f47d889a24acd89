import { Worker } from 'node:worker_threads';
import { compiledScript } from '../../compiled-script.js';
import type { WasmBackend } from '../wasm-calls.js';
import {
  ARG_COUNT,
  CHUNKS,
  CONTROL_BYTES,
  type ControlBlock,
  claimValue,
  controlBlock,
  FAILED,
  FINISHED,
  type GemmThreadData,
  JOB,
  KERNEL,
  MAIN_SLEEPS,
  MAX_ARGS,
  MAX_CHUNKS,
  SCRATCH,
  SCRATCH_BYTES,
  SPIN_MS,
  STOP,
  THREAD_CHUNKS,
  THREADS_SLEEP,
  TOTAL,
  takeChunks,
  UNIT,
} from './gemm-control.js';
import { type SimdKernels, simdKernels, simdModuleBytes } from './instance.js';
import { RANGE_KERNELS } from './range-kernels.js';
import { type KernelThreads, type RangeCall, setKernelThreads } from './split-kernels.js';
import { type WasmMemory, webAssembly } from './web-assembly.js';

/**
 * Calls of fewer multiply-adds than this run on the calling thread alone: handing one out costs
 * a few microseconds, a product of 2¹⁶ multiply-adds takes about 2 µs.
 */
export const SPLIT_MIN_WORK = 1 << 16;

/**
 * Multiply-adds a chunk of a call should have at least (~0.1 ms of work): smaller chunks than
 * that are merged, so that claiming one costs little beside it; a call is cut into as many
 * such chunks as it has (at least one per thread), which the threads take from both ends.
 */
export const CHUNK_MIN_WORK = 1 << 22;

/**
 * How many chunks a call of `units` units and `work` multiply-adds is cut into on `threads`
 * threads: one per thread for an `even` call; else about one per `CHUNK_MIN_WORK`, rounded up to
 * a multiple of the threads (chunks of even size, so that threads of equal speed finish
 * together: a call cut into 5 chunks left one thread a whole chunk behind the other); at most
 * one per unit and `MAX_CHUNKS` (the claim counter has 16 bits for each end).
 */
export function chunkCount(units: number, work: number, threads: number, even: boolean): number {
  if (even) return Math.min(units, threads);
  const wanted = Math.max(threads, Math.ceil(work / CHUNK_MIN_WORK));
  return Math.min(units, MAX_CHUNKS, threads * Math.ceil(wanted / threads));
}

/**
 * Threads that run the range kernels of `kernels.c` (the SIMD GEMM and the convolutions built
 * on it, see split-kernels.ts) together with the main thread, on a heap that is a shared
 * `WebAssembly.Memory` (tfjs-backend-wasm's threaded build). A call is cut into chunks of its
 * range that the threads take as they come (see gemm-control.ts), so every entry is computed
 * exactly as on one thread, and a thread the OS has stalled delays a call by one chunk at most.
 * Between calls a thread spins `SPIN_MS`, then sleeps; it never keeps the process alive.
 */
export class GemmThreads implements KernelThreads {
  private readonly block: ControlBlock;
  private job = 0;

  /**
   * Whether the calling thread takes chunks of a call too (the default). Off, it hands every
   * chunk to the other threads and waits for them: what tests use to check, deterministically,
   * the shares that the other threads compute.
   */
  callerComputes = true;

  private constructor(
    readonly threads: number,
    private readonly kernels: SimdKernels,
    private readonly workers: Worker[],
    control: SharedArrayBuffer,
  ) {
    this.block = controlBlock(control);
    this.block.claims[0] = claimValue(0, MAX_CHUNKS, 0);
  }

  /** Starts `threads − 1` threads beside the calling one on `backend`'s shared heap. */
  static async start(
    backend: WasmBackend,
    memory: WasmMemory,
    threads: number,
  ): Promise<GemmThreads> {
    const kernels = simdKernels(backend);
    if (!kernels) throw new Error('the WebAssembly SIMD kernels do not run on this heap');
    const control = new SharedArrayBuffer(CONTROL_BYTES);
    const module = new webAssembly.Module(simdModuleBytes(memory));
    const script = compiledScript('wasm-kernels/simd/gemm-thread.js', 'startWasmBackend');
    const workers: Worker[] = [];
    try {
      for (let index = 1; index < threads; index++) {
        const data: GemmThreadData = { memory, module, control, index };
        const worker = new Worker(script, { workerData: data });
        workers.push(worker);
        await new Promise<void>((resolve, reject) => {
          worker.once('message', () => resolve());
          worker.once('error', reject);
          worker.once('exit', (code) =>
            reject(new Error(`a GEMM thread exited with code ${code}`)),
          );
        });
        worker.unref();
      }
    } catch (error) {
      for (const worker of workers) void worker.terminate();
      throw new Error(`the GEMM threads did not start: ${(error as Error).message}`);
    }
    return new GemmThreads(threads, kernels, workers, control);
  }

  /**
   * Computes `call` on all threads when it is large enough to pay (at least `SPLIT_MIN_WORK`
   * multiply-adds and two units of its range), else on the calling thread alone.
   */
  run(call: RangeCall, scratch: number): void {
    const { kernel, args, total, unit, work, scratchFloats, even } = call;
    const units = Math.ceil(total / unit);
    if (work < SPLIT_MIN_WORK || units < 2) {
      this.kernels[kernel](scratch, 0, total, ...args);
      return;
    }
    if (args.length > MAX_ARGS) throw new Error(`${kernel}: more than ${MAX_ARGS} arguments`);
    const chunks = chunkCount(units, work, this.threads, even === true);
    this.job = (this.job + 1) | 0;
    const job = this.job;
    const { control, args: argBlock, claims } = this.block;
    control[KERNEL] = RANGE_KERNELS.indexOf(kernel);
    control[TOTAL] = total;
    control[UNIT] = unit;
    control[CHUNKS] = chunks;
    control[SCRATCH] = scratch;
    control[SCRATCH_BYTES] = 4 * scratchFloats;
    control[ARG_COUNT] = args.length;
    argBlock.set(args);
    Atomics.store(control, FINISHED, 0);
    Atomics.store(claims, 0, claimValue(job, 0, chunks));
    Atomics.store(control, JOB, job);
    if (Atomics.load(control, THREADS_SLEEP) > 0) Atomics.notify(control, JOB);
    if (this.callerComputes) takeChunks(this.kernels, this.block, job, 0);
    this.waitForChunks(chunks);
    Atomics.store(claims, 0, claimValue(job, MAX_CHUNKS, 0));
    if (Atomics.exchange(control, FAILED, 0) === 1) {
      throw new Error(`a chunk of a shared ${kernel} call failed (a trap in the SIMD kernels)`);
    }
  }

  /** Waits until the chunks that other threads took are done. */
  private waitForChunks(chunks: number): void {
    const control = this.block.control;
    const until = performance.now() + SPIN_MS;
    for (let i = 0; Atomics.load(control, FINISHED) < chunks; i++) {
      if ((i & 255) !== 255 || performance.now() <= until) continue;
      // a thread that counts a chunk after this store wakes this one (takeChunks)
      Atomics.store(control, MAIN_SLEEPS, 1);
      for (let done = Atomics.load(control, FINISHED); done < chunks; ) {
        Atomics.wait(control, FINISHED, done, 100);
        done = Atomics.load(control, FINISHED);
      }
      Atomics.store(control, MAIN_SLEEPS, 0);
      return;
    }
  }

  /** Chunks of calls that the other threads (not the calling one) have computed so far. */
  get threadChunks(): number {
    return Atomics.load(this.block.control, THREAD_CHUNKS);
  }

  /** Ends the threads. */
  terminate(): void {
    Atomics.store(this.block.control, STOP, 1);
    Atomics.add(this.block.control, JOB, 1);
    Atomics.notify(this.block.control, JOB);
    for (const worker of this.workers) void worker.terminate();
  }
}

/**
 * Starts {@link GemmThreads} for `backend` (a wasm backend on a shared heap, `threads` ≥ 2),
 * used from then on by its matrix products and convolutions; they end when the backend is disposed.
 */
export async function startGemmThreads(
  backend: WasmBackend,
  memory: WasmMemory,
  threads: number,
): Promise<GemmThreads> {
  const pool = await GemmThreads.start(backend, memory, threads);
  setKernelThreads(backend, pool);
  const dispose = backend.dispose.bind(backend);
  backend.dispose = () => {
    setKernelThreads(backend, undefined);
    pool.terminate();
    dispose();
  };
  return pool;
}
