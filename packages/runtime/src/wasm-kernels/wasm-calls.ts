// Thin typed calls of tfjs-backend-wasm's own kernels on `TensorInfo`s: the training kernels
// of this package are compositions of them, run inside one kernel call (no tape, no engine).
import type {
  DataType,
  KernelBackend,
  KernelConfig,
  NamedAttrMap,
  NamedTensorInfoMap,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { getKernel } from '@tensorflow/tfjs-core';
import type { WasmMemory } from './simd/web-assembly.js';

/** The parts of tfjs-backend-wasm's `BackendWasm` that the kernels of this package use. */
export interface WasmBackend extends KernelBackend {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
  /**
   * Where each tensor lives on the heap (`memoryOffset`: a byte offset); `get` moves data
   * that lives on another backend onto the heap first.
   */
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  /** The Emscripten module: its exports (`asm`) hold the heap's `WebAssembly.Memory`. */
  wasm: { asm?: { memory?: WasmMemory }; wasmMemory?: WasmMemory };
}

/** Explicit NHWC padding `[[0, 0], [top, bottom], [left, right], [0, 0]]`. */
export type ExplicitPadding = [
  [number, number],
  [number, number],
  [number, number],
  [number, number],
];

const setUp = new WeakMap<KernelConfig, WeakSet<object>>();

/**
 * Runs `config`'s kernel function on `backend`. A kernel whose registration this package
 * replaced before the backend started was never set up by the engine, so the setup runs here
 * once per backend instance.
 */
export function callKernel(
  config: KernelConfig,
  backend: KernelBackend,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap = {},
): TensorInfo {
  if (config.setupFunc) {
    let backends = setUp.get(config);
    if (!backends) {
      backends = new WeakSet();
      setUp.set(config, backends);
    }
    if (!backends.has(backend)) {
      config.setupFunc(backend);
      backends.add(backend);
    }
  }
  const out = config.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) {
    throw new Error(`wasm kernel '${config.kernelName}' returned several outputs, expected one`);
  }
  return out;
}

/** tfjs-backend-wasm's registered kernel `name`; a clear error when wasm is not loaded. */
export function wasmKernel(name: string): KernelConfig {
  const config = getKernel(name, 'wasm');
  if (!config) {
    throw new Error(
      `the wasm backend has no '${name}' kernel: import '@tensorflow/tfjs-backend-wasm' ` +
        '(4.22.0) before running the training kernels of @bregman/runtime',
    );
  }
  return config;
}

/** Frees an intermediate result. */
export function dispose(backend: KernelBackend, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/** `tf.transpose(x, perm)` as a wasm kernel call. */
export function transpose(backend: KernelBackend, x: TensorInfo, perm: number[]): TensorInfo {
  return callKernel(wasmKernel('Transpose'), backend, { x }, { perm });
}

/** `tf.reshape(x, shape)` as a wasm kernel call (shares `x`'s data). */
export function reshape(backend: KernelBackend, x: TensorInfo, shape: number[]): TensorInfo {
  return callKernel(wasmKernel('Reshape'), backend, { x }, { shape });
}

/** `tf.pad(x, paddings)` with zeros as a wasm kernel call. */
export function pad(backend: KernelBackend, x: TensorInfo, paddings: number[][]): TensorInfo {
  return callKernel(wasmKernel('PadV2'), backend, { x }, { paddings, constantValue: 0 });
}

/** `tf.slice(x, begin, size)` as a wasm kernel call. */
export function slice(
  backend: KernelBackend,
  x: TensorInfo,
  begin: number[],
  size: number[],
): TensorInfo {
  return callKernel(wasmKernel('Slice'), backend, { x }, { begin, size });
}

/** `tf.matMul(a, b, transposeA, transposeB)` on rank-3 batch-1 operands (XNNPACK once untransposed). */
export function matMul(
  backend: KernelBackend,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): TensorInfo {
  return callKernel(wasmKernel('BatchMatMul'), backend, { a, b }, { transposeA, transposeB });
}

/**
 * An NHWC convolution with stride 1 (XNNPACK): `filter` is `[kh, kw, in, out]`, `dilations` the
 * filter's dilation, `padding` explicit (all ≥ 0).
 */
export function conv2dStride1(
  backend: KernelBackend,
  x: TensorInfo,
  filter: TensorInfo,
  padding: ExplicitPadding,
  dilations: [number, number] = [1, 1],
): TensorInfo {
  return callKernel(
    wasmKernel('Conv2D'),
    backend,
    { x, filter },
    { strides: [1, 1], pad: padding, dataFormat: 'NHWC', dilations },
  );
}
