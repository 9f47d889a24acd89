import type { KernelConfig } from '@tensorflow/tfjs-core';
import { engine, getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import {
  expConfig,
  logConfig,
  reluConfig,
  sqrtConfig,
  squareConfig,
  stepConfig,
} from './activations.js';
import { fusedBatchNormConfig } from './batch-norm.js';
import { castConfig } from './cast.js';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input.js';
import { conv2DConfig, fusedConv2DConfig } from './conv2d-forward.js';
import { addConfig, multiplyConfig, realDivConfig, subConfig } from './elementwise.js';
import { fusedAdamStepConfig, fusedMomentumStepConfig, fusedSgdStepConfig } from './fused-steps.js';
import { gatherV2Config } from './gather.js';
import { identityConfig } from './identity.js';
import { batchMatMulConfig, fusedMatMulConfig } from './mat-mul.js';
import { maxPoolConfig } from './max-pool.js';
import { maxPoolGradConfig } from './max-pool-grad.js';
import { meanConfig, sumConfig } from './reduce-leading.js';
import { scatterNdConfig } from './scatter-nd.js';
import { signConfig } from './sign.js';
import { sliceConfig } from './slice.js';
import {
  softmaxCrossEntropyConfig,
  softmaxCrossEntropyGradConfig,
} from './softmax-cross-entropy.js';
import { standardizeConfig } from './standardize.js';
import { stockKernels } from './stock-kernels.js';
import { tileConfig } from './tile.js';
import { wasmKernel } from './wasm-calls.js';

const configs: readonly KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  batchMatMulConfig,
  fusedMatMulConfig,
  maxPoolGradConfig,
  maxPoolConfig,
  conv2DConfig,
  fusedConv2DConfig,
  sumConfig,
  meanConfig,
  tileConfig,
  sliceConfig,
  signConfig,
  gatherV2Config,
  scatterNdConfig,
  identityConfig,
  fusedAdamStepConfig,
  fusedSgdStepConfig,
  fusedMomentumStepConfig,
  addConfig,
  subConfig,
  multiplyConfig,
  realDivConfig,
  fusedBatchNormConfig,
  castConfig,
  reluConfig,
  stepConfig,
  expConfig,
  logConfig,
  sqrtConfig,
  squareConfig,
  softmaxCrossEntropyConfig,
  softmaxCrossEntropyGradConfig,
  standardizeConfig,
];

/**
 * The wasm kernels that {@link registerWasmTrainingKernels} registers:
 * - `Conv2DBackpropFilter` (missing from tfjs-backend-wasm 4.22): in WebAssembly SIMD (this
 *   package's own module on the backend's heap, see `loadWasmSimdKernels`), as im2col + GEMM
 *   chunk by chunk of output positions, or directly with accumulators in registers for the
 *   first layers (< 4 input channels); without SIMD, one dilated XNNPACK convolution, or
 *   im2col + one XNNPACK matMul, by shape;
 * - `Conv2DBackpropInput` (a scalar loop there): in WebAssembly SIMD, directly (stride 1,
 *   16–128 channels) or as GEMM + col2im chunk by chunk; without SIMD, one XNNPACK convolution
 *   with the flipped filter, or one XNNPACK matMul + col2im, by shape;
 * - `BatchMatMul`, `_FusedMatMul`: a GEMM in WebAssembly SIMD that reads transposed operands
 *   in place and packs nothing up front (bias, ReLU and ReLU6 fused); without SIMD, transposed
 *   operands transposed in memory, then XNNPACK (in the order, `C` or `Cᵀ`, that packs less);
 * - `MaxPoolGrad`: correct for windows whose inputs are all ≤ 0 (the stock one is not); 2×2
 *   pooling in WebAssembly SIMD;
 * - `MaxPool`: 2×2 windows with stride 2 that tile a float32 input in WebAssembly SIMD, shared
 *   among the threads (the stock XNNPACK pooling runs on the calling thread alone);
 * - `Conv2D`, `FusedConv2D`: im2col + the SIMD GEMM chunk by chunk of output positions (bias,
 *   ReLU and ReLU6 fused); without SIMD, im2col + one XNNPACK matMul when there are fewer
 *   output positions than output channels (XNNPACK's convolution would spend more on packing
 *   the new filter than on the product), else the stock XNNPACK kernels with a numeric padding
 *   made explicit (tfjs-core 4.22 gets the output width of a numeric padding wrong for
 *   non-square filters, and the stock kernel then writes past its output buffer);
 * - `Sum`, `Mean` over leading axes (bias gradients, BatchNorm): one pass, no transpose, in
 *   WebAssembly SIMD;
 * - `Tile` (BatchNorm's gradient tiles a `[1, 1, 1, C]` tensor to the input's shape): row copies;
 * - `Slice`: copies only the slice, read where the input lies on the heap (the stock kernel
 *   first copies the whole input out of the heap);
 * - `Sign`: exact for `|x|` below ~1e-7 (the stock kernel returns 0 there);
 * - `GatherV2` (kernel blocks of a sparse-aware step): whole-slice copies, or one indexed loop
 *   for columns, instead of one index computation per element (`batchDims` ≠ 0: stock);
 * - `ScatterNd` (their gradients back into the full kernel): one pass over the updates, with
 *   every index row checked against the shape (the stock kernel checks none);
 * - `Identity` (tfjs-core's clone of every tensor saved for the backward pass): shares the
 *   input's memory instead of copying it, as the `cpu` backend does;
 * - `BregmanFusedAdamStep`, `BregmanFusedSgdStep`, `BregmanFusedMomentumStep` (not tfjs
 *   kernels: the `FUSED_*_STEP_KERNEL`s of `@bregman/optimizers`): AdaBreg's, LinBreg's and
 *   LinBreg-with-momentum's update of a variable, with ℓ1's prox, in one WebAssembly SIMD pass
 *   instead of 3–14 kernels;
 * - `Relu`, `Step`, `Exp`, `Log`, `Sqrt`, `Square`: in WebAssembly SIMD, shared among the
 *   threads; `Exp` and `Log` in double precision rounded once, as the `cpu` backend's
 *   `Math.exp` and `Math.log`;
 * - `BregmanSoftmaxCrossEntropy`, `BregmanSoftmaxCrossEntropyGrad` (this package's
 *   `softmaxCrossEntropy` loss): the loss and its logits gradient in one WebAssembly call
 *   each instead of ~30 kernels, as the `cpu` backend's composition computes them;
 * - `BregmanStandardize` (the `STANDARDIZE_KERNEL` of `@bregman/models`: its `Standardize`
 *   layer's `(x − mean) / std`): one WebAssembly SIMD pass shared among the threads instead of
 *   `Sub` and `RealDiv`.
 */
export const WASM_TRAINING_KERNELS: readonly string[] = configs.map((c) => c.kernelName);

/**
 * Registers the training kernels of this package for the `wasm` backend, replacing
 * tfjs-backend-wasm's own (kept, and used for the cases they handle well: batched or
 * untransposed products, NCHW input gradients). `@tensorflow/tfjs-backend-wasm` must have been
 * imported. Idempotent; works before or after the backend starts. Returns the kernel names.
 *
 * @example
 * ```ts
 * import '@tensorflow/tfjs-backend-wasm';
 * registerWasmTrainingKernels();
 * await tf.setBackend('wasm');
 * ```
 */
export function registerWasmTrainingKernels(): string[] {
  wasmKernel('Conv2D'); // throws a clear error when tfjs-backend-wasm is not loaded
  for (const config of configs) {
    const current = getKernel(config.kernelName, 'wasm');
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current) {
      stockKernels.set(config.kernelName, current);
      unregisterKernel(config.kernelName, 'wasm');
    }
    registerKernel(config);
  }
  return [...WASM_TRAINING_KERNELS];
}

/**
 * Puts tfjs-backend-wasm's own kernels back (and removes `Conv2DBackpropFilter`, which it
 * lacks): the "stock" configuration, for comparisons.
 */
export function unregisterWasmTrainingKernels(): void {
  for (const config of configs) {
    const current = getKernel(config.kernelName, 'wasm');
    if (current?.kernelFunc !== config.kernelFunc) continue;
    unregisterKernel(config.kernelName, 'wasm');
    const stock = stockKernels.get(config.kernelName);
    if (stock) {
      registerKernel(stock);
      // a backend that started while this package's kernel was registered never set it up
      const backend = engine().registry.wasm;
      if (backend) stock.setupFunc?.(backend);
    }
  }
}

/** Whether every kernel of {@link WASM_TRAINING_KERNELS} is the one of this package now. */
export function wasmTrainingKernelsRegistered(): boolean {
  return configs.every((c) => getKernel(c.kernelName, 'wasm')?.kernelFunc === c.kernelFunc);
}
