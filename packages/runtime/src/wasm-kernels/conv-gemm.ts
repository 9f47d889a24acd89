import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import { convGeometryArgs, heapOffset, type SimdKernels } from './simd/instance.js';
import { type RangeCall, runRangeKernels } from './simd/split-kernels.js';
import type { WasmBackend } from './wasm-calls.js';

/**
 * Floats of patches per chunk of the im2col + GEMM convolutions of `kernels.c`: 1 MiB, so that a
 * chunk is still in the cache when the product reads it (measured: 256 KiB chunks were up to 2×
 * slower on ResNet-18's 3 × 3 × 256 layers, 4 MiB no faster).
 */
const PATCH_CHUNK_FLOATS = 262144;

/** How {@link runConvGemm} runs one convolution: its kernel and how its range is shared. */
export interface ConvGemmCall {
  kernel: RangeCall['kernel'];
  /** The kernel's arguments before `chunkRows` and the geometry, the output's offset among them. */
  args: (out: number) => number[];
  /** The range's length and its unit, as in {@link RangeCall}. */
  total: number;
  unit: (chunkRows: number) => number;
  /** Floats of scratch beyond the chunk of patches and the product's panel. */
  extraFloats: number;
  /** See {@link RangeCall.even}. */
  even: boolean;
}

/**
 * Runs one of `kernels.c`'s im2col + GEMM convolutions (forward, filter gradient, input
 * gradient) on the backend's threads, if it has any (see split-kernels.ts): makes its output of
 * `shape` and the scratch each thread needs for the duration of the call (a chunk of patches and
 * the product's panel, plus `call.extraFloats`). A chunk is ~1 MiB of patches, but at least 128
 * positions (fewer would copy the filter's panels more often than they are used) and at most
 * all of them.
 */
export function runConvGemm(
  backend: WasmBackend,
  simd: SimdKernels,
  info: backend_util.Conv2DInfo,
  shape: number[],
  call: ConvGemmCall,
): TensorInfo {
  const taps = info.filterHeight * info.filterWidth * info.inChannels;
  const positions = info.batchSize * info.outHeight * info.outWidth;
  const chunkRows = Math.max(
    1,
    Math.min(positions, Math.max(128, Math.floor(PATCH_CHUNK_FLOATS / taps / 4) * 4)),
  );
  const out = backend.makeOutput(shape, 'float32');
  runRangeKernels(backend, simd, [
    {
      kernel: call.kernel,
      args: [...call.args(heapOffset(backend, out)), chunkRows, ...convGeometryArgs(info)],
      total: call.total,
      unit: call.unit(chunkRows),
      work: positions * taps * info.outChannels,
      scratchFloats: chunkRows * taps + simd.mat_mul_scratch_size() + call.extraFloats,
      even: call.even,
    },
  ]);
  return out;
}
