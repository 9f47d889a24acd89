import type {
  _FusedMatMulAttrs,
  BatchMatMulAttrs,
  KernelBackend,
  KernelConfig,
  KernelFunc,
  NamedAttrMap,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { util } from '@tensorflow/tfjs-core';
import { stockKernel } from './stock-kernels.js';
import { callKernel, dispose, type WasmBackend } from './wasm-calls.js';

/**
 * Cost of XNNPACK packing one element of the right operand ("weights", packed anew for every
 * new tensor), relative to transposing one element: packing 4–15 ns per element, the
 * transpose below 0.6–1.1 ns (measured on this package's MLP and ConvNet shapes, wasm, AMD
 * EPYC). The MLP's and ConvNet's routes are the same for any value from 1.4 (the cost when
 * the transpose was slower) to 10; of ResNet-18's, only the filter gradient of the last 1 × 1
 * shortcut changes (it is flipped from 6 on).
 */
const PACK_COST = 6;

/**
 * `x` (batch 1, float32) with its last two axes swapped in memory: a blocked copy in
 * JavaScript, 16 output rows (input columns) at a time, reading four input rows per pass and
 * writing four adjacent output entries (0.6–1.1 ns per element on the MLP's and ConvNet's
 * shapes, about 2× the 16 × 16 tiles it replaces and 3× tfjs-backend-wasm's `Transpose`).
 */
function transposeLastTwo(backend: KernelBackend, x: TensorInfo): TensorInfo {
  const rank = x.shape.length;
  const rows = x.shape[rank - 2] as number;
  const columns = x.shape[rank - 1] as number;
  const wasm = backend as WasmBackend;
  const out = wasm.makeOutput([...x.shape.slice(0, -2), columns, rows], 'float32');
  const src = wasm.typedArrayFromHeap(x) as Float32Array;
  const dst = wasm.typedArrayFromHeap(out) as Float32Array;
  const tile = 16;
  for (let c0 = 0; c0 < columns; c0 += tile) {
    const c1 = Math.min(columns, c0 + tile);
    let r = 0;
    for (; r + 4 <= rows; r += 4) {
      const s0 = r * columns;
      const s1 = s0 + columns;
      const s2 = s1 + columns;
      const s3 = s2 + columns;
      for (let c = c0, d = c0 * rows + r; c < c1; c++, d += rows) {
        dst[d] = src[s0 + c] as number;
        dst[d + 1] = src[s1 + c] as number;
        dst[d + 2] = src[s2 + c] as number;
        dst[d + 3] = src[s3 + c] as number;
      }
    }
    for (; r < rows; r++) {
      const s = r * columns;
      for (let c = c0; c < c1; c++) dst[c * rows + r] = src[s + c] as number;
    }
  }
  return out;
}

/**
 * Whether `C = op(A)·op(B)` is cheaper as `Cᵀ = op(B)ᵀ·op(A)ᵀ` followed by a transpose: the
 * memory passes (transposes in, XNNPACK's packing of the right operand, transpose out) of both
 * orders, in elements. The multiply-adds are the same.
 */
function flipIsCheaper(m: number, k: number, n: number, ta: boolean, tb: boolean): boolean {
  const direct = (ta ? m * k : 0) + (tb ? k * n : 0) + PACK_COST * k * n;
  const flipped = (tb ? 0 : k * n) + (ta ? 0 : m * k) + PACK_COST * k * m + m * n;
  return flipped < direct;
}

/**
 * tfjs-backend-wasm multiplies through XNNPACK only when neither operand is transposed and
 * both have batch 1; a transposed operand falls to a scalar loop — and both gradients of a
 * Dense layer ask for one. This kernel transposes such an operand in memory and runs the
 * untransposed, fast product; when packing the right operand would cost more than the
 * transposes, it computes `Cᵀ = op(B)ᵀ·op(A)ᵀ` instead (not for a fused bias or activation).
 * Batched products (batch > 1) stay on the stock kernel, which has no fast path for them.
 */
function untransposed(kernelName: string): KernelFunc {
  return ({ inputs, backend: anyBackend, attrs }) => {
    const backend = anyBackend as KernelBackend;
    const stock = stockKernel(kernelName);
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA: ta, transposeB: tb } = attrs as unknown as BatchMatMulAttrs;
    const batchOne = (x: TensorInfo) => util.sizeFromShape(x.shape.slice(0, -2)) === 1;
    if (!batchOne(a) || !batchOne(b) || a.dtype !== 'float32' || b.dtype !== 'float32') {
      return callKernel(stock, backend, inputs, attrs);
    }
    const ra = a.shape.length;
    const [m, k] = ta ? [a.shape[ra - 1]!, a.shape[ra - 2]!] : [a.shape[ra - 2]!, a.shape[ra - 1]!];
    const n = tb ? b.shape[b.shape.length - 2]! : b.shape[b.shape.length - 1]!;
    const fused = attrs as unknown as Partial<_FusedMatMulAttrs>;
    const plain =
      inputs.bias == null &&
      inputs.preluActivationWeights == null &&
      (fused.activation === undefined || fused.activation === 'linear');
    const untransposedAttrs = { ...attrs, transposeA: false, transposeB: false } as NamedAttrMap;

    if (plain && flipIsCheaper(m, k, n, ta, tb)) {
      const left = tb ? b : transposeLastTwo(backend, b); // op(B)ᵀ: [N, K]
      const right = ta ? a : transposeLastTwo(backend, a); // op(A)ᵀ: [K, M]
      const ct = callKernel(stock, backend, { ...inputs, a: left, b: right }, untransposedAttrs);
      const c = transposeLastTwo(backend, ct);
      if (left !== b) dispose(backend, left);
      if (right !== a) dispose(backend, right);
      dispose(backend, ct);
      return c;
    }
    if (!ta && !tb) return callKernel(stock, backend, inputs, attrs);
    const a2 = ta ? transposeLastTwo(backend, a) : a;
    const b2 = tb ? transposeLastTwo(backend, b) : b;
    const out = callKernel(stock, backend, { ...inputs, a: a2, b: b2 }, untransposedAttrs);
    if (a2 !== a) dispose(backend, a2);
    if (b2 !== b) dispose(backend, b2);
    return out;
  };
}

/** `BatchMatMul` for the wasm backend: transposed operands made untransposed (XNNPACK). */
export const batchMatMulConfig: KernelConfig = {
  kernelName: 'BatchMatMul',
  backendName: 'wasm',
  kernelFunc: untransposed('BatchMatMul'),
};

/** `_FusedMatMul` for the wasm backend: transposed operands made untransposed (XNNPACK). */
export const fusedMatMulConfig: KernelConfig = {
  kernelName: '_FusedMatMul',
  backendName: 'wasm',
  kernelFunc: untransposed('_FusedMatMul'),
};
