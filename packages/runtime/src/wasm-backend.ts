import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { captureWarnings } from './console-capture.js';
import { registerWasmTrainingKernels } from './wasm-kernels/register.js';
import { loadWasmSimdKernels } from './wasm-kernels/simd/instance.js';

/** The `wasm` backend once started. */
export interface WasmStart {
  /** `@tensorflow/tfjs-backend-wasm`'s version. */
  version: string;
  /** XNNPACK's threads: 1 in Node (the threaded build cannot start there, tfjs #3830). */
  threads: number;
  /** Whether the SIMD build runs. */
  simd: boolean;
  /** The training kernels registered (see `registerWasmTrainingKernels`). */
  kernels: string[];
  /**
   * Whether this package's WebAssembly SIMD kernels run (the matrix product, the convolutions
   * and their gradients, the 2×2 max-pool gradient, sums over leading axes, the LinBreg /
   * AdaBreg updates; see `loadWasmSimdKernels`).
   */
  simdKernels: boolean;
}

/**
 * Imports `@tensorflow/tfjs-backend-wasm`, points it at the `.wasm` files of its own `dist`
 * directory in node_modules (before it starts), registers this package's training kernels
 * and switches to it. Throws with tfjs's own explanation when it does not start.
 */
export async function startWasmBackend(): Promise<WasmStart> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (!tf.engine().registry.wasm) {
    const entry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(dirname(entry) + sep);
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
  const simdKernels = await loadWasmSimdKernels();
  return {
    version: wasm.version_wasm,
    threads: wasm.getThreadsCount(),
    simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
    kernels,
    simdKernels,
  };
}
