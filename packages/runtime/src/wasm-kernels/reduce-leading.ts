import type {
  KernelBackend,
  KernelConfig,
  KernelFunc,
  SumAttrs,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { util } from '@tensorflow/tfjs-core';
import { heapOffset, simdKernels } from './simd/instance.js';
import { runRangeKernels } from './simd/split-kernels.js';
import { stockKernel } from './stock-kernels.js';
import { callKernel, dispose, type WasmBackend } from './wasm-calls.js';

/**
 * tfjs-backend-wasm reduces only innermost axes: to sum over the leading ones (the bias
 * gradient of a conv or Dense layer, BatchNorm's moments and gradients: axes `[0, 1, 2]` of
 * NHWC) it first transposes the whole tensor. This kernel sums the rows of the tensor seen as
 * `[rows, columns]` in one pass (float64 accumulators, as the `cpu` backend sums), in
 * WebAssembly SIMD where it runs (`kernels.c`), else in JavaScript. A float32 scalar's sum and
 * mean are `0 + x`; any other reduction goes to the stock kernel.
 */
function leadingReduction(kernelName: 'Sum' | 'Mean'): KernelFunc {
  return ({ inputs, backend: anyBackend, attrs }) => {
    const backend = anyBackend as KernelBackend;
    const { x } = inputs as { x: TensorInfo };
    const { axis, keepDims } = attrs as unknown as SumAttrs;
    // a scalar's sum and mean: 0 + x, as the cpu backend sums (tfjs-layers takes the mean of a
    // loss that is one)
    if (x.shape.length === 0 && x.dtype === 'float32') {
      const wasm = backend as WasmBackend;
      const out = wasm.makeOutput([], 'float32');
      (wasm.typedArrayFromHeap(out) as Float32Array)[0] =
        0 + (wasm.typedArrayFromHeap(x) as Float32Array)[0]!;
      return out;
    }
    const axes = util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
    const leading =
      axes.length > 0 && axes.length < x.shape.length && axes.every((v, i) => v === i);
    if (!leading || x.dtype !== 'float32') {
      return callKernel(stockKernel(kernelName), backend, inputs, attrs);
    }
    const rows = util.sizeFromShape(x.shape.slice(0, axes.length));
    const kept = x.shape.slice(axes.length);
    const columns = util.sizeFromShape(kept);
    const wasm = backend as WasmBackend;
    const outShape = keepDims ? [...axes.map(() => 1), ...kept] : kept;
    const out = wasm.makeOutput(outShape, 'float32');
    const scale = kernelName === 'Mean' ? 1 / rows : 1;
    const simd = simdKernels(backend);
    if (simd) {
      // columns, shared among the backend's threads where it has them; float64 accumulators
      runRangeKernels(wasm, simd, [
        {
          kernel: 'sum_leading_columns',
          args: [heapOffset(backend, x), heapOffset(backend, out), rows, columns, scale],
          total: columns,
          unit: 4,
          work: rows * columns,
          scratchFloats: 2 * columns,
        },
      ]);
      return out;
    }
    const src = wasm.typedArrayFromHeap(x) as Float32Array;
    const dst = wasm.typedArrayFromHeap(out) as Float32Array;
    const acc = new Float64Array(columns);
    let r = 0;
    let o = 0;
    // four rows per pass over the accumulators (their sum in float64): half the time of one
    for (const step = 4 * columns; r + 4 <= rows; r += 4, o += step) {
      for (let c = 0; c < columns; c++) {
        const i = o + c;
        const pair1 = (src[i] as number) + (src[i + columns] as number);
        const pair2 = (src[i + 2 * columns] as number) + (src[i + 3 * columns] as number);
        acc[c] = (acc[c] as number) + (pair1 + pair2);
      }
    }
    for (; r < rows; r++, o += columns) {
      for (let c = 0; c < columns; c++) acc[c] = (acc[c] as number) + (src[o + c] as number);
    }
    for (let c = 0; c < columns; c++) dst[c] = (acc[c] as number) * scale;
    return out;
  };
}

/** `Sum` for the wasm backend: sums over leading axes without transposing. */
export const sumConfig: KernelConfig = {
  kernelName: 'Sum',
  backendName: 'wasm',
  kernelFunc: leadingReduction('Sum'),
};

/** `Mean` for the wasm backend: means over leading axes without transposing. */
export const meanConfig: KernelConfig = {
  kernelName: 'Mean',
  backendName: 'wasm',
  kernelFunc: leadingReduction('Mean'),
};
