export type { BackendName, BackendRequest } from './backend-name.js';
export { BACKEND_NAMES, parseBackendRequest } from './backend-name.js';
export type { Batch, BatchArray, BatchInput } from './data-parallel/batch.js';
export type {
  Batches,
  DataParallelHistory,
  FitOptions,
  TrainerCallback,
} from './data-parallel/fit.js';
export type { DataParallelLoss } from './data-parallel/losses.js';
export { DATA_PARALLEL_LOSSES } from './data-parallel/losses.js';
export { NonFiniteLossError } from './data-parallel/non-finite-loss.js';
export type { DataParallelOptions } from './data-parallel/options.js';
export type { StepLogs } from './data-parallel/trainer.js';
export { DataParallelTrainer } from './data-parallel/trainer.js';
export type { FileSystemHandlerOptions } from './file-io-handler.js';
export {
  fileSystemHandler,
  MODEL_JSON_FILE,
  SPARSE_WEIGHTS_FILE,
  WEIGHTS_FILE,
} from './file-io-handler.js';
export { registerFileSystemRouter } from './file-system-router.js';
export { seededRandom, setGlobalSeed } from './seed.js';
export {
  SOFTMAX_CROSS_ENTROPY_GRAD_KERNEL,
  SOFTMAX_CROSS_ENTROPY_KERNEL,
  softmaxCrossEntropy,
} from './softmax-cross-entropy.js';
export type { EncodedSparseWeights, SparseWeightsEntry } from './sparse-weights.js';
export {
  decodeSparseWeights,
  encodeSparseWeights,
  SPARSE_WEIGHTS_FORMAT,
} from './sparse-weights.js';
export type {
  PackageFailure,
  TensorflowAttempt,
  TensorflowStarted,
} from './tensorflow-backend.js';
export { startTensorflowBackend, TENSORFLOW_PACKAGES } from './tensorflow-backend.js';
export type {
  BackendChoice,
  SkippedBackend,
  UseBestBackendOptions,
} from './use-best-backend.js';
export { describeBackendChoice, useBestBackend } from './use-best-backend.js';
export type { StartWasmOptions, WasmStart } from './wasm-backend.js';
export { startWasmBackend } from './wasm-backend.js';
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
export {
  setWasmThreadsEnabled,
  wasmKernelThreads,
  wasmThreadsEnabled,
} from './wasm-kernels/simd/split-kernels.js';
export { MAX_WASM_THREADS } from './wasm-threaded-build.js';
export type {
  StartWebgpuOptions,
  WebgpuAdapterChoice,
  WebgpuAttempt,
  WebgpuStarted,
} from './webgpu-backend.js';
export { startWebgpuBackend, stopWebgpuBackend, WEBGPU_PACKAGES } from './webgpu-backend.js';
export type { DawnRoute, WebgpuAdapterSummary, WebgpuProbe } from './webgpu-probe.js';
export { probeWebgpuAdapters } from './webgpu-probe.js';
export { WEBGPU_SYNC_READ_ERROR } from './webgpu-sync-read.js';
