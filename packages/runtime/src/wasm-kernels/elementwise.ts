import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { backend_util, util } from '@tensorflow/tfjs-core';
import { heapOffset, simdKernels } from './simd/instance.js';
import { runRangeKernels } from './simd/split-kernels.js';
import { stockKernel } from './stock-kernels.js';
import { callKernel, type WasmBackend } from './wasm-calls.js';

/** The operations of `kernels.c`'s `binary_rows`, by their number there. */
const OPS = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3 } as const;

/**
 * How `binary_rows` reads two float32 operands of an element-wise operation (their
 * broadcast `out` shape): both whole (0); b one row along the last axis (1), a one row (2);
 * b one value (3), a one value (4); b one value per row, i.e. `out`'s shape with a last axis of
 * 1 (5: softmax's `x − max`, a gradient times a per-example factor), a one value per row (6).
 * `undefined` for other broadcasts.
 */
function broadcastMode(a: number[], b: number[], out: number[]): number | undefined {
  const size = util.sizeFromShape(out);
  const columns = out.length === 0 ? 1 : (out[out.length - 1] as number);
  // a shape of 1s but a last axis of `columns`: one row along the last axis
  const row = (s: number[]) =>
    s.length > 0 && s[s.length - 1] === columns && util.sizeFromShape(s) === columns;
  const sizeA = util.sizeFromShape(a);
  const sizeB = util.sizeFromShape(b);
  if (sizeA === size && sizeB === size) return 0; // equal shapes but for leading 1s
  if (sizeA === size && row(b)) return 1;
  if (sizeB === size && row(a)) return 2;
  if (sizeA === size && sizeB === 1) return 3;
  if (sizeB === size && sizeA === 1) return 4;
  // one value per row: a last axis of 1 and as many entries as out has rows (which a valid
  // broadcast allows only with out's leading axes)
  const column = (s: number[], n: number) =>
    s.length > 0 && s[s.length - 1] === 1 && n * columns === size;
  if (sizeA === size && column(b, sizeB)) return 5;
  if (sizeB === size && column(a, sizeA)) return 6;
  return undefined;
}

/**
 * An element-wise `Add`, `Sub`, `Multiply` or `RealDiv` of two float32 tensors in this
 * package's WebAssembly SIMD kernel (`binary_rows`) when one operand is whole and the other
 * whole too, a vector along the last axis (a bias, BatchNorm's per-channel values) or one value:
 * tfjs-backend-wasm computes such broadcasts one index at a time (a ResNet-18 step at batch 16
 * spent ~20 ms in `Multiply` by per-channel tensors). Each entry is the same IEEE float32
 * operation; the rows are shared among the backend's threads where it has them. Other dtypes and
 * broadcasts go to the stock kernel.
 */
function elementwise(kernelName: keyof typeof OPS): KernelFunc {
  return ({ inputs, backend: anyBackend, attrs }) => {
    const backend = anyBackend as KernelBackend;
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const simd = simdKernels(backend);
    const stock = () => callKernel(stockKernel(kernelName), backend, inputs, attrs);
    if (!simd || a.dtype !== 'float32' || b.dtype !== 'float32') return stock();
    let out: number[];
    try {
      out = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    } catch {
      return stock(); // the stock kernel names the mismatch
    }
    const mode = broadcastMode(a.shape, b.shape, out);
    if (mode === undefined) return stock();
    const wasm = backend as WasmBackend;
    const result = wasm.makeOutput(out, 'float32');
    const size = util.sizeFromShape(out);
    if (size === 0) return result;
    const columns = out.length === 0 ? 1 : (out[out.length - 1] as number);
    runRangeKernels(wasm, simd, [
      {
        kernel: 'binary_rows',
        args: [
          heapOffset(backend, a),
          heapOffset(backend, b),
          heapOffset(backend, result),
          columns,
          OPS[kernelName],
          mode,
        ],
        total: size / columns,
        unit: 1,
        work: size,
        scratchFloats: 0,
      },
    ]);
    return result;
  };
}

/** `Add` for the wasm backend: see {@link elementwise}. */
export const addConfig: KernelConfig = {
  kernelName: 'Add',
  backendName: 'wasm',
  kernelFunc: elementwise('Add'),
};

/** `Sub` for the wasm backend: see {@link elementwise}. */
export const subConfig: KernelConfig = {
  kernelName: 'Sub',
  backendName: 'wasm',
  kernelFunc: elementwise('Sub'),
};

/** `Multiply` for the wasm backend: see {@link elementwise}. */
export const multiplyConfig: KernelConfig = {
  kernelName: 'Multiply',
  backendName: 'wasm',
  kernelFunc: elementwise('Multiply'),
};

/** `RealDiv` for the wasm backend: see {@link elementwise}. */
export const realDivConfig: KernelConfig = {
  kernelName: 'RealDiv',
  backendName: 'wasm',
  kernelFunc: elementwise('RealDiv'),
};
