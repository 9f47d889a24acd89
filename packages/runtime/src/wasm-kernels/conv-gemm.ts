import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import { heapOffset, type SimdKernels } from './simd/instance.js';
import { dispose, type WasmBackend } from './wasm-calls.js';

/**
 * Floats of patches per chunk of the im2col + GEMM convolutions of `kernels.c`: 1 MiB, so that a
 * chunk is still in the cache when the product reads it (measured: 256 KiB chunks were up to 2×
 * slower on ResNet-18's 3 × 3 × 256 layers, 4 MiB no faster).
 */
const PATCH_CHUNK_FLOATS = 262144;

/**
 * Runs one of `kernels.c`'s im2col + GEMM convolutions (forward, filter gradient, input
 * gradient): makes its output of `shape`, and the scratch it needs for the duration of `call`
 * (a chunk of patches and the product's panel, plus `extraFloats`). A chunk is ~1 MiB of
 * patches, but at least 128 positions (fewer would copy the filter's panels more often than they
 * are used) and at most all of them. `call` gets the heap offsets of the output and the scratch,
 * and the chunk's rows.
 */
export function runConvGemm(
  backend: WasmBackend,
  simd: SimdKernels,
  info: backend_util.Conv2DInfo,
  shape: number[],
  extraFloats: number,
  call: (out: number, scratch: number, chunkRows: number) => void,
): TensorInfo {
  const taps = info.filterHeight * info.filterWidth * info.inChannels;
  const positions = info.batchSize * info.outHeight * info.outWidth;
  const chunkRows = Math.max(
    1,
    Math.min(positions, Math.max(128, Math.floor(PATCH_CHUNK_FLOATS / taps / 4) * 4)),
  );
  const out = backend.makeOutput(shape, 'float32');
  const scratch = backend.makeOutput(
    [chunkRows * taps + simd.mat_mul_scratch_size() + extraFloats],
    'float32',
  );
  call(heapOffset(backend, out), heapOffset(backend, scratch), chunkRows);
  dispose(backend, scratch);
  return out;
}
