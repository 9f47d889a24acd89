import type { backend_util, KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import { engine } from '@tensorflow/tfjs-core';
import type { WasmBackend } from '../wasm-calls.js';
import { SIMD_KERNELS_SHARED, SIMD_KERNELS_UNSHARED } from './kernels-wasm.js';
import { type WasmInstance, type WasmMemory, webAssembly } from './web-assembly.js';

/** A convolution's geometry as the convolution kernels of `kernels.c` take it. */
export type ConvGeometryArgs = [
  batch: number,
  inHeight: number,
  inWidth: number,
  inChannels: number,
  outHeight: number,
  outWidth: number,
  outChannels: number,
  filterHeight: number,
  filterWidth: number,
  strideHeight: number,
  strideWidth: number,
  padTop: number,
  padLeft: number,
];

/** The geometry arguments of a convolution described by tfjs's `Conv2DInfo`. */
export function convGeometryArgs(info: backend_util.Conv2DInfo): ConvGeometryArgs {
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
  ];
}

/**
 * The fused activations that `kernels.c`'s products and convolutions apply themselves, by the
 * codes they take (no entry: the caller's other route applies it).
 */
export const SIMD_ACTIVATION_CODES: Readonly<Record<string, number>> = {
  linear: 0,
  relu: 1,
  relu6: 2,
};

/**
 * A kernel of `kernels.c` that computes the share `[begin, end)` of one dimension of its output
 * (see `split-kernels.ts`): its scratch, the share, then its own arguments.
 */
export type RangeKernelFunction = (
  scratch: number,
  begin: number,
  end: number,
  ...args: number[]
) => void;

/**
 * The WebAssembly SIMD kernels of `kernels.c`, instantiated on one tfjs-backend-wasm heap.
 * Arguments are byte offsets of tensors on that heap and sizes; see `kernels.c` for each.
 */
export interface SimdKernels {
  /** `(scratch, rowBegin, rowEnd, x, dy, dx, outWidth, channels)` */
  max_pool_grad_2x2_rows: RangeKernelFunction;
  /** `(scratch, rowBegin, rowEnd, x, y, outWidth, channels)` */
  max_pool_2x2_rows: RangeKernelFunction;
  /** `(scratch, pairBegin, pairEnd, x, dy, dw, ...geometry)` */
  conv2d_filter_grad_tiled_rows: RangeKernelFunction;
  /** `(scratch, rowBegin, rowEnd, dy, wt, dx, ...geometry)` */
  conv2d_input_grad_rows: RangeKernelFunction;
  mat_mul(
    a: number,
    b: number,
    c: number,
    scratch: number,
    bias: number,
    m: number,
    k: number,
    n: number,
    aTransposed: number,
    bTransposed: number,
    activation: number,
  ): void;
  /** `(scratch, tileBegin, tileEnd, a, b, c, bias, m, k, n, aTransposed, bTransposed, activation, rowBlocks, rows)` */
  mat_mul_tiles: RangeKernelFunction;
  mat_mul_scratch_size(): number;
  /** `(scratch, begin, end, g, m1, m2, target, m1Out, m2Out, targetOut, weightsOut, n, β₁, 1 − β₁, β₂, 1 − β₂, ε, scale, targetScale, δ, threshold)` */
  adam_step_range: RangeKernelFunction;
  /** `(scratch, begin, end, g, m, target, mOut, targetOut, weightsOut, n, momentum, scale, targetScale, δ, threshold)` */
  momentum_step_range: RangeKernelFunction;
  /** `(scratch, begin, end, g, target, targetOut, weightsOut, n, learningRate, targetScale, δ, threshold)` */
  sgd_step_range: RangeKernelFunction;
  /** `(scratch, columnBegin, columnEnd, x, dy, dw, chunkRows, ...geometry)` */
  conv2d_filter_grad_columns: RangeKernelFunction;
  /** `(scratch, imageBegin, imageEnd, dy, w, dx, chunkRows, ...geometry)` */
  conv2d_input_grad_images: RangeKernelFunction;
  /** `(scratch, positionBegin, positionEnd, x, w, y, bias, activation, chunkRows, ...geometry)` */
  conv2d_forward_rows: RangeKernelFunction;
  weighted_sum(
    parts: number,
    stride: number,
    count: number,
    shares: number,
    out: number,
    n: number,
  ): void;
  /** `(scratch, begin, end, x, y, op, alpha)` */
  unary_range: RangeKernelFunction;
  /** `(scratch, begin, end, x, mean, std, out, channels, perChannel)` */
  standardize_range: RangeKernelFunction;
  softmax_cross_entropy(
    logits: number,
    labels: number,
    logp: number,
    loss: number,
    rows: number,
    classes: number,
  ): void;
  softmax_cross_entropy_grad(
    dy: number,
    logp: number,
    labels: number,
    dx: number,
    n: number,
    rows: number,
  ): void;
  /** `(scratch, rowBegin, rowEnd, x, out, s0 … s5, r0 … r5)` */
  tile_rows: RangeKernelFunction;
  /** `(scratch, rowBegin, rowEnd, a, b, out, columns, op, mode)` */
  binary_rows: RangeKernelFunction;
  /** `(scratch, rowBegin, rowEnd, x, mean, variance, offset, scale, out, channels, ε)` */
  batch_norm_rows: RangeKernelFunction;
  /** `(scratch, columnBegin, columnEnd, x, out, rows, columns, scale)` */
  sum_leading_columns: RangeKernelFunction;
}

/** Per heap: the kernels, or why they could not start there. */
const instances = new WeakMap<WasmMemory, SimdKernels | Error>();
let enabled = true;

/** `backend`'s heap (tfjs-backend-wasm's `WebAssembly.Memory`). */
export function heapMemory(backend: KernelBackend): WasmMemory {
  const module = (backend as WasmBackend).wasm;
  const memory = module?.asm?.memory ?? module?.wasmMemory;
  if (!(memory instanceof webAssembly.Memory)) {
    throw new Error(
      'the wasm backend exposes no WebAssembly.Memory (tfjs-backend-wasm 4.22 expected)',
    );
  }
  return memory;
}

/** The kernels' module built for `memory` (shared or not), as bytes. */
export function simdModuleBytes(memory: WasmMemory): Uint8Array {
  const shared =
    typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const base64 = shared ? SIMD_KERNELS_SHARED : SIMD_KERNELS_UNSHARED;
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function started(memory: WasmMemory, instance: WasmInstance): SimdKernels {
  const kernels = instance.exports as unknown as SimdKernels;
  instances.set(memory, kernels);
  return kernels;
}

/**
 * The SIMD kernels on `backend`'s heap, or `undefined` where they cannot run: a platform
 * without WebAssembly SIMD, a browser's main thread that refuses to compile synchronously
 * (call {@link loadWasmSimdKernels} first there), or `setWasmSimdKernelsEnabled(false)`.
 * The answer is fixed per heap once found, so a run does not switch kernels midway.
 */
export function simdKernels(backend: KernelBackend): SimdKernels | undefined {
  return enabled ? simdKernelsOnMemory(heapMemory(backend)) : undefined;
}

/**
 * The SIMD kernels on `memory` (a tfjs-backend-wasm heap, or another `WebAssembly.Memory`,
 * e.g. the one the threads of a data-parallel run share), or `undefined` where they cannot
 * run; as {@link simdKernels}, but not turned off by `setWasmSimdKernelsEnabled(false)`.
 */
export function simdKernelsOnMemory(memory: WasmMemory): SimdKernels | undefined {
  let kernels = instances.get(memory);
  if (kernels === undefined) {
    try {
      const module = new webAssembly.Module(simdModuleBytes(memory));
      kernels = started(memory, new webAssembly.Instance(module, { env: { memory } }));
    } catch (error) {
      kernels = error instanceof Error ? error : new Error(String(error));
      instances.set(memory, kernels);
    }
  }
  return kernels instanceof Error ? undefined : kernels;
}

/**
 * Compiles and starts this package's WebAssembly SIMD kernels (the matrix product, the
 * convolutions and their gradients, the 2×2 max-pool gradient, sums over leading axes, the
 * LinBreg / AdaBreg updates) on the running wasm backend's heap,
 * asynchronously. Needed only on a browser's main thread, which refuses to compile WebAssembly
 * synchronously; Node.js and Web Workers start them on their first use. After a refused first
 * use (kernels already ran on their other routes), this tries again. Resolves to whether they
 * run: `false` on a platform without WebAssembly SIMD, where the kernels take their XNNPACK or
 * JavaScript routes instead.
 *
 * @example
 * ```ts
 * await tf.setBackend('wasm');
 * registerWasmTrainingKernels();
 * await loadWasmSimdKernels();
 * ```
 */
export async function loadWasmSimdKernels(): Promise<boolean> {
  const backend = engine().registry.wasm;
  if (!backend) {
    throw new Error(
      "loadWasmSimdKernels: the 'wasm' backend has not started (await tf.setBackend('wasm') first)",
    );
  }
  return loadSimdKernelsOn(backend);
}

/** {@link loadWasmSimdKernels} on `backend`'s heap. */
export async function loadSimdKernelsOn(backend: KernelBackend): Promise<boolean> {
  const memory = heapMemory(backend);
  if (!instances.has(memory) || instances.get(memory) instanceof Error) {
    try {
      const { instance } = await webAssembly.instantiate(simdModuleBytes(memory), {
        env: { memory },
      });
      started(memory, instance);
    } catch (error) {
      instances.set(memory, error instanceof Error ? error : new Error(String(error)));
    }
  }
  return !(instances.get(memory) instanceof Error);
}

/**
 * Turns this package's WebAssembly SIMD kernels on (the default) or off. Off, products and
 * convolutions take their XNNPACK routes and the pooling gradient, sums and LinBreg / AdaBreg
 * updates their JavaScript loops, as on a platform without WebAssembly SIMD: for comparisons
 * and benchmarks. It is read at every kernel call, so it may be switched between calls.
 */
export function setWasmSimdKernelsEnabled(on: boolean): void {
  if (typeof on !== 'boolean') {
    throw new Error(`setWasmSimdKernelsEnabled: on must be true or false, got ${String(on)}`);
  }
  enabled = on;
}

/**
 * `simd`, or a clear error when a route through the SIMD kernels was forced (`forceRoutes`) where
 * they do not run.
 */
export function requireSimdKernels(
  kernel: string,
  simd: SimdKernels | undefined,
  route: string,
): SimdKernels {
  if (!simd) {
    throw new Error(
      `${kernel} on wasm: the route '${route}' was forced, but the WebAssembly SIMD kernels do not run here`,
    );
  }
  return simd;
}

/**
 * The byte offset of `info`'s data on the wasm heap; data that still lives on another backend
 * (a tensor made before the switch to wasm) is moved there first, as the stock kernels do.
 */
export function heapOffset(backend: KernelBackend, info: TensorInfo): number {
  let entry: { memoryOffset: number } | undefined;
  try {
    entry = (backend as WasmBackend).dataIdMap.get(info.dataId);
  } catch (cause) {
    throw new Error('a tensor of a wasm kernel has no data on any backend (disposed?)', { cause });
  }
  if (!entry) throw new Error('a tensor of a wasm kernel has no data on the heap (disposed?)');
  return entry.memoryOffset;
}

/** The heap offsets of three tensors, in order: a kernel's input, second input and output. */
export function heapOffsets(
  backend: KernelBackend,
  a: TensorInfo,
  b: TensorInfo,
  c: TensorInfo,
): [number, number, number] {
  return [heapOffset(backend, a), heapOffset(backend, b), heapOffset(backend, c)];
}
