import { Worker } from 'node:worker_threads';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { compiledScript } from '../../compiled-script.js';
import { dispose, type WasmBackend } from '../wasm-calls.js';
import {
  ARGS,
  CLOSED,
  CONTROL_BYTES,
  CONTROL_SLOTS,
  claimCounter,
  FAILED,
  FINISHED,
  type GemmThreadData,
  JOB,
  SPIN_MS,
  STOP,
  takeChunks,
} from './gemm-control.js';
import { heapOffset, type SimdKernels, simdKernels, simdModuleBytes } from './instance.js';
import { type GemmCall, type SplitGemm, setSplitGemm } from './split-gemm.js';
import { type WasmMemory, webAssembly } from './web-assembly.js';

/**
 * Products smaller than this (multiply-adds) run on the calling thread alone: handing one out
 * costs a few microseconds, a product of 2¹⁶ multiply-adds takes about 2 µs.
 */
export const GEMM_SPLIT_MIN = 1 << 16;

/**
 * Chunks per thread a product is cut into (fewer where it has fewer panels). One chunk each
 * was fastest on the MLP's step (1.21 ms median against 1.30–1.34 with 2 or 4 chunks each, 2
 * threads, AMD EPYC): a chunk left to a late thread is taken by the main thread all the same.
 */
const CHUNKS_PER_THREAD = 1;

/**
 * Threads that compute the SIMD GEMM (`kernels.c`'s `mat_mul`) together with the main thread,
 * on a heap that is a shared `WebAssembly.Memory` (tfjs-backend-wasm's threaded build). A
 * product is cut into chunks of whole 8-column panels that the threads take as they come (see
 * gemm-control.ts), so every entry is computed exactly as on one thread, and a thread the OS
 * has stalled delays a product by one chunk at most. Between products a thread spins
 * `SPIN_MS`, then sleeps; it never keeps the process alive.
 */
export class GemmThreads implements SplitGemm {
  private readonly control: Int32Array;
  private readonly claims: BigInt64Array;
  private job = 0;

  private constructor(
    readonly threads: number,
    private readonly kernels: SimdKernels,
    private readonly workers: Worker[],
    private readonly scratch: TensorInfo[],
    private readonly backend: WasmBackend,
    control: SharedArrayBuffer,
  ) {
    this.control = new Int32Array(control, 0, CONTROL_SLOTS);
    this.claims = claimCounter(control);
    this.claims[0] = BigInt(CLOSED);
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
    const scratch: TensorInfo[] = [];
    const workers: Worker[] = [];
    try {
      for (let index = 1; index < threads; index++) {
        const own = backend.makeOutput([kernels.mat_mul_scratch_size()], 'float32');
        scratch.push(own);
        const data: GemmThreadData = { memory, module, control, scratch: heapOffset(backend, own) };
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
      dispose(backend, ...scratch);
      throw new Error(`the GEMM threads did not start: ${(error as Error).message}`);
    }
    return new GemmThreads(threads, kernels, workers, scratch, backend, control);
  }

  /**
   * Computes `call` on all threads when it is large enough to pay (at least `GEMM_SPLIT_MIN`
   * multiply-adds and two panels of columns), else on the calling thread alone.
   */
  mat_mul(call: GemmCall): void {
    const { a, b, c, scratch, bias, m, k, n, aTransposed, bTransposed, activation } = call;
    const panels = Math.ceil(n / 8);
    if (m * k * n < GEMM_SPLIT_MIN || panels < 2) {
      this.kernels.mat_mul(a, b, c, scratch, bias, m, k, n, aTransposed, bTransposed, activation);
      return;
    }
    const width = 8 * Math.ceil(panels / Math.min(panels, CHUNKS_PER_THREAD * this.threads));
    const chunks = Math.ceil(n / width);
    this.job = (this.job + 1) | 0;
    const job = this.job;
    const control = this.control;
    control.set(
      [a, b, c, bias, m, k, n, aTransposed, bTransposed, activation, chunks, width],
      ARGS,
    );
    Atomics.store(control, FINISHED, 0);
    Atomics.store(this.claims, 0, BigInt(job) << 32n);
    Atomics.store(control, JOB, job);
    Atomics.notify(control, JOB);
    takeChunks(this.kernels, control, this.claims, job, scratch);
    this.waitForChunks(chunks);
    Atomics.store(this.claims, 0, (BigInt(job) << 32n) + BigInt(CLOSED));
    if (Atomics.exchange(control, FAILED, 0) === 1) {
      throw new Error('a chunk of a shared matrix product failed (a trap in the SIMD GEMM)');
    }
  }

  /** Waits until the chunks that other threads took are done. */
  private waitForChunks(chunks: number): void {
    const until = performance.now() + SPIN_MS;
    for (let i = 0; ; i++) {
      const done = Atomics.load(this.control, FINISHED);
      if (done >= chunks) return;
      if ((i & 255) === 255 && performance.now() > until) {
        Atomics.wait(this.control, FINISHED, done, 100);
      }
    }
  }

  /** Ends the threads and frees their scratch. */
  terminate(): void {
    Atomics.store(this.control, STOP, 1);
    Atomics.add(this.control, JOB, 1);
    Atomics.notify(this.control, JOB);
    for (const worker of this.workers) void worker.terminate();
    dispose(this.backend, ...this.scratch);
  }
}

/**
 * Starts {@link GemmThreads} for `backend` (a wasm backend on a shared heap, `threads` ≥ 2),
 * used from then on by its matrix products; they end when the backend is disposed.
 */
export async function startGemmThreads(
  backend: WasmBackend,
  memory: WasmMemory,
  threads: number,
): Promise<GemmThreads> {
  const pool = await GemmThreads.start(backend, memory, threads);
  setSplitGemm(backend, pool);
  const dispose = backend.dispose.bind(backend);
  backend.dispose = () => {
    setSplitGemm(backend, undefined);
    pool.terminate();
    dispose();
  };
  return pool;
}
