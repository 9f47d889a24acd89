import type {
  KernelBackend,
  KernelConfig,
  KernelFunc,
  TensorInfo,
  TileAttrs,
} from '@tensorflow/tfjs-core';
import { heapOffset, simdKernels } from './simd/instance.js';
import { runRangeKernels } from './simd/split-kernels.js';
import { stockKernel } from './stock-kernels.js';
import { callKernel, type WasmBackend } from './wasm-calls.js';

/** The most axes {@link tile} takes to the WebAssembly SIMD kernel (`kernels.c`'s `tile_rows`). */
const SIMD_TILE_RANK = 6;

/**
 * `tf.tile` for the wasm backend. tfjs-core's BatchNorm gradient tiles `1/√(σ² + ε)` from
 * `[1, 1, 1, C]` to the whole `[N, H, W, C]` input; tfjs-backend-wasm's Tile computes every
 * output index separately and was the slowest kernel of a ResNet step. This one copies whole
 * innermost rows (and repeats them): one pass over the output — in WebAssembly SIMD for
 * float32 and int32 up to 6 axes (rows shared among the backend's threads where it has them),
 * else in JavaScript. Strings go to the stock kernel.
 */
const tile: KernelFunc = ({ inputs, backend: anyBackend, attrs }) => {
  const backend = anyBackend as KernelBackend;
  const { x } = inputs as { x: TensorInfo };
  const { reps } = attrs as unknown as TileAttrs;
  const rank = x.shape.length;
  if (x.dtype === 'string' || rank === 0) {
    return callKernel(stockKernel('Tile'), backend, inputs, attrs);
  }
  const wasm = backend as WasmBackend;
  const outShape = x.shape.map((d, i) => d * (reps[i] as number));
  const out = wasm.makeOutput(outShape, x.dtype);
  const size = outShape.reduce((a, b) => a * b, 1);
  const simd = simdKernels(backend);
  if (simd && (x.dtype === 'float32' || x.dtype === 'int32') && rank <= SIMD_TILE_RANK) {
    if (size === 0) return out;
    const ones = new Array<number>(SIMD_TILE_RANK - rank).fill(1);
    runRangeKernels(wasm, simd, [
      {
        kernel: 'tile_rows',
        args: [heapOffset(backend, x), heapOffset(backend, out), ...ones, ...x.shape].concat(
          ones,
          reps.slice(0, rank),
        ),
        total: size / (outShape[rank - 1] as number),
        unit: 1,
        work: size,
        scratchFloats: 0,
      },
    ]);
    return out;
  }
  const src = wasm.typedArrayFromHeap(x);
  const dst = wasm.typedArrayFromHeap(out);
  if (dst.length === 0) return out;
  const inner = x.shape[rank - 1] as number;
  const rowLength = outShape[rank - 1] as number;
  const strides = new Array<number>(rank).fill(1);
  for (let i = rank - 2; i >= 0; i--)
    strides[i] = (strides[i + 1] as number) * (x.shape[i + 1] as number);
  const index = new Array<number>(Math.max(rank - 1, 0)).fill(0); // odometer over the outer axes
  const rows = dst.length / rowLength;
  for (let row = 0, o = 0; row < rows; row++, o += rowLength) {
    let s = 0;
    for (let i = 0; i < rank - 1; i++)
      s += ((index[i] as number) % (x.shape[i] as number)) * (strides[i] as number);
    const source = src.subarray(s, s + inner);
    for (let r = o; r < o + rowLength; r += inner) dst.set(source, r);
    for (let i = rank - 2; i >= 0; i--) {
      index[i] = (index[i] as number) + 1;
      if ((index[i] as number) < (outShape[i] as number)) break;
      index[i] = 0;
    }
  }
  return out;
};

/** `Tile` for the wasm backend: row copies instead of one index computation per element. */
export const tileConfig: KernelConfig = {
  kernelName: 'Tile',
  backendName: 'wasm',
  kernelFunc: tile,
};
