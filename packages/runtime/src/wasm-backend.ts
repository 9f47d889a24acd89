import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { captureWarnings } from './console-capture.js';
import { registerWasmTrainingKernels } from './wasm-kernels/register.js';
import { startGemmThreads } from './wasm-kernels/simd/gemm-threads.js';
import { heapMemory, loadWasmSimdKernels, simdKernels } from './wasm-kernels/simd/instance.js';
import type { WasmBackend } from './wasm-kernels/wasm-calls.js';
import {
  MAX_WASM_THREADS,
  startThreadedWasmModule,
  unrefPoolThreads,
} from './wasm-threaded-build.js';

/** The `wasm` backend once started. */
export interface WasmStart {
  /** `@tensorflow/tfjs-backend-wasm`'s version. */
  version: string;
  /** The threads its SIMD kernels run on (see {@link StartWasmOptions}). */
  threads: number;
  /** Whether the SIMD build runs. */
  simd: boolean;
  /** The training kernels registered (see `registerWasmTrainingKernels`). */
  kernels: string[];
  /**
   * Whether this package's WebAssembly SIMD kernels run (the matrix product, the convolutions
   * and their gradients, element-wise arithmetic and batch norm, the 2×2 max-pool gradient,
   * sums over leading axes, the LinBreg / AdaBreg updates; see `loadWasmSimdKernels`).
   */
  simdKernels: boolean;
}

/** Options of {@link startWasmBackend}. */
export interface StartWasmOptions {
  /**
   * Threads this package's SIMD kernels run on in one process (default 1): an integer from 1
   * to `MAX_WASM_THREADS` (8). More than 1 starts tfjs-backend-wasm's threaded SIMD build
   * (which tfjs does not start in Node.js itself) for its shared heap, and `threads − 1` worker
   * threads beside the calling one that take shares of every large enough call: products
   * (`BatchMatMul`, `_FusedMatMul`), convolutions and their gradients, element-wise arithmetic,
   * batch norm, the pooling gradient, sums over leading axes, the LinBreg / AdaBreg updates —
   * in the same process, on the same tensors (no model replicas), and equal to one thread's
   * result bit for bit (each entry is computed as on one thread). Any `tf.LayersModel` and
   * `model.fit` use it as they are. tfjs-backend-wasm's own kernels and XNNPACK's operators
   * stay on the calling thread (XNNPACK's own pool would compete with these threads for the
   * cores). Needs WebAssembly SIMD. Set it before the backend first starts: a running `wasm`
   * backend with another thread count is an error. `setWasmThreadsEnabled(false)` switches the
   * sharing off between calls.
   */
  threads?: number;
}

/** The thread count a running `wasm` backend computes on (its heap is shared when > 1). */
let runningThreads = 0;

/**
 * Imports `@tensorflow/tfjs-backend-wasm`, points it at the `.wasm` files of its own `dist`
 * directory in node_modules (before it starts), registers this package's training kernels
 * and switches to it; with `threads` > 1, on that many threads (see {@link StartWasmOptions}).
 * Throws with tfjs's own explanation when it does not start.
 *
 * @example
 * ```ts
 * const started = await startWasmBackend({ threads: 2 });
 * console.log(started.threads); // 2
 * ```
 */
export async function startWasmBackend(options: StartWasmOptions = {}): Promise<WasmStart> {
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_WASM_THREADS) {
    throw new Error(
      `startWasmBackend: threads must be an integer from 1 to ${MAX_WASM_THREADS}, got ${String(options.threads)}`,
    );
  }
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const running = tf.engine().registry.wasm;
  // a backend started elsewhere (tf.setBackend('wasm')) runs tfjs's own build: one thread
  const current = running ? runningThreads || 1 : 0;
  if (current !== 0 && current !== threads) {
    throw new Error(
      `startWasmBackend: the wasm backend already runs on ${current} thread(s), not ${threads}; remove it first (tf.removeBackend('wasm')) or ask for ${current}`,
    );
  }
  if (!running) {
    if (threads > 1) registerThreadedFactory(wasm, threads);
    else {
      const entry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
      wasm.setWasmPaths(dirname(entry) + sep);
    }
  }
  const { value: started, warnings } = await captureWarnings(() => tf.setBackend('wasm'));
  if (!started) {
    throw new Error(
      `tfjs-backend-wasm did not start: ${warnings.join(' ').replace(/\s+/g, ' ').trim() || 'no reason given'}`,
    );
  }
  for (const line of warnings) console.warn(line); // not ours to swallow once it started
  // after the start, so that the engine has set up every stock kernel the new ones call
  const kernels = registerWasmTrainingKernels();
  const simdKernelsRun = await loadWasmSimdKernels();
  const backend = tf.engine().registry.wasm as WasmBackend;
  if (!running && threads > 1) {
    if (!simdKernelsRun || !simdKernels(backend)) {
      throw new Error(
        "startWasmBackend: threads > 1 needs WebAssembly SIMD and this package's SIMD kernels on (setWasmSimdKernelsEnabled(true)); they do not run here",
      );
    }
    await startGemmThreads(backend, heapMemory(backend), threads);
  }
  runningThreads = threads;
  return {
    version: wasm.version_wasm,
    threads: runningThreads,
    simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
    kernels,
    simdKernels: simdKernelsRun,
  };
}

/** Makes the `wasm` backend start as the threaded build on `threads` threads. */
function registerThreadedFactory(
  wasm: typeof import('@tensorflow/tfjs-backend-wasm'),
  threads: number,
): void {
  tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      const module = await startThreadedWasmModule(threads);
      wasm.setThreadsCount(1); // XNNPACK's pool would compete with the GEMM threads
      const backend = new wasm.BackendWasm(module as never);
      unrefPoolThreads(module);
      return backend;
    },
    2, // tfjs-backend-wasm's own priority
  );
}
