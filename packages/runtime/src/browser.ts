/**
 * The part of `@bregman/runtime` that runs in a browser (a page or a Web Worker), as
 * `@bregman/runtime/browser`: the fast training kernels for tfjs-backend-wasm, the
 * `softmaxCrossEntropy` loss and the seeded random numbers. Nothing here imports a Node.js module (`worker_threads`, `fs`, …); the
 * package's main entry, with the backend choice for Node, the data-parallel trainer and the
 * file-system model storage, is Node-only.
 *
 * In a browser, point tfjs-backend-wasm at its `.wasm` files (served by your own origin) with
 * `setWasmPaths`, start the backend, then register the kernels:
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
 * import { registerWasmTrainingKernels } from '@bregman/runtime/browser';
 *
 * setWasmPaths('/wasm/'); // where tfjs-backend-wasm*.wasm are served
 * await tf.setBackend('wasm');
 * registerWasmTrainingKernels();
 * ```
 *
 * @module
 */
export { seededRandom, setGlobalSeed } from './seed.js';
export {
  SOFTMAX_CROSS_ENTROPY_GRAD_KERNEL,
  SOFTMAX_CROSS_ENTROPY_KERNEL,
  softmaxCrossEntropy,
} from './softmax-cross-entropy.js';
export {
  registerWasmTrainingKernels,
  unregisterWasmTrainingKernels,
  WASM_TRAINING_KERNELS,
  wasmTrainingKernelsRegistered,
} from './wasm-kernels/register.js';
export {
  loadWasmSimdKernels,
  setWasmSimdKernelsEnabled,
} from './wasm-kernels/simd/instance.js';
