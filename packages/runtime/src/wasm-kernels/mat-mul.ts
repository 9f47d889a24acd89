import type {
  _FusedMatMulAttrs,
  BatchMatMulAttrs,
  KernelBackend,
  KernelConfig,
  KernelFunc,
  NamedAttrMap,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { backend_util, util } from '@tensorflow/tfjs-core';
import {
  heapOffset,
  SIMD_ACTIVATION_CODES,
  type SimdKernels,
  simdKernels,
} from './simd/instance.js';
import { kernelThreadsOf, type RangeCall, runRangeKernels } from './simd/split-kernels.js';
import { stockKernel } from './stock-kernels.js';
import { callKernel, dispose, type WasmBackend } from './wasm-calls.js';

/**
 * How a product of `m` rows and `panels` panels of 8 columns is cut into tiles (`kernels.c`'s
 * `mat_mul_tiles`: a panel × a block of rows) for `threads` threads: its panels alone when they
 * are many, else each panel cut into `blocks` blocks of `rows` rows (a multiple of 4, at least
 * 8), until there are 16 tiles per thread. A share of a product then differs from an even one by
 * a sixteenth of a thread's part at most: the MLP's 784 × 200 layer has 25 panels, which two
 * threads could only split 12 / 13 (its last 4 % waited for by the other thread); 50 tiles split
 * 25 / 25. Every entry is computed the same way whatever the tiles.
 */
export function productRowBlocks(
  m: number,
  panels: number,
  threads: number,
): { blocks: number; rows: number } {
  let blocks = 1;
  while (threads > 1 && panels * blocks < 16 * threads && m >= 16 * blocks) blocks *= 2;
  const rows = 4 * Math.ceil(m / blocks / 4);
  return { blocks: Math.ceil(m / rows), rows }; // rows rounded up may leave fewer blocks
}

/**
 * `op(a)·op(b)` (+ bias, then ReLU or ReLU6) in this package's WebAssembly SIMD GEMM
 * (`kernels.c`: panels of `op(b)` copied as it goes, 4 × 8 accumulators in registers), which
 * reads either operand transposed in place and packs nothing up front: 1.3–2.7× XNNPACK's
 * product on the MLP's, the ConvNet's and ResNet-18's shapes with new weights (XNNPACK packs
 * every new right operand), and 1.3× on a 1024² product whose packing XNNPACK has cached
 * (wasm, AMD EPYC). Batch dimensions are looped over when one operand's batch is 1 or both
 * are the output's; `undefined` for what it does not cover (another dtype or activation, a
 * bias that is not a vector of `n`, other broadcasts), which the caller sends to XNNPACK.
 */
function simdMatMul(
  backend: WasmBackend,
  simd: SimdKernels,
  inputs: { a: TensorInfo; b: TensorInfo; bias?: TensorInfo | null },
  ta: boolean,
  tb: boolean,
  activation: string | undefined,
  hasPrelu: boolean,
): TensorInfo | undefined {
  const { a, b, bias } = inputs;
  const code = SIMD_ACTIVATION_CODES[activation ?? 'linear'];
  if (code === undefined || hasPrelu || a.dtype !== 'float32' || b.dtype !== 'float32') {
    return undefined;
  }
  const ra = a.shape.length;
  const rb = b.shape.length;
  const [m, k] = ta ? [a.shape[ra - 1]!, a.shape[ra - 2]!] : [a.shape[ra - 2]!, a.shape[ra - 1]!];
  const [kb, n] = tb ? [b.shape[rb - 1]!, b.shape[rb - 2]!] : [b.shape[rb - 2]!, b.shape[rb - 1]!];
  if (k !== kb) return undefined; // the stock kernel names the mismatch
  // tfjs-backend-wasm's kernel takes a bias of rank 1 only (else its error names the rank)
  if (
    bias != null &&
    (bias.dtype !== 'float32' || bias.shape.length !== 1 || bias.shape[0] !== n)
  ) {
    return undefined;
  }
  let outer: number[];
  try {
    outer = backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  } catch {
    return undefined;
  }
  const batch = util.sizeFromShape(outer);
  const aBatch = util.sizeFromShape(a.shape.slice(0, -2));
  const bBatch = util.sizeFromShape(b.shape.slice(0, -2));
  if ((aBatch !== 1 && aBatch !== batch) || (bBatch !== 1 && bBatch !== batch)) return undefined;
  const c = backend.makeOutput([...outer, m, n], 'float32');
  if (batch * m * n === 0) return c;
  const pa = heapOffset(backend, a);
  const pb = heapOffset(backend, b);
  const pc = heapOffset(backend, c);
  const pBias = bias == null ? 0 : heapOffset(backend, bias);
  const aStride = aBatch === 1 ? 0 : 4 * m * k;
  const bStride = bBatch === 1 ? 0 : 4 * k * n;
  const panels = Math.ceil(n / 8);
  const { blocks, rows } = productRowBlocks(m, panels, kernelThreadsOf(backend)?.threads ?? 1);
  const calls: RangeCall[] = [];
  for (let i = 0; i < batch; i++) {
    calls.push({
      kernel: 'mat_mul_tiles',
      args: [
        pa + i * aStride,
        pb + i * bStride,
        pc + i * 4 * m * n,
        pBias,
        m,
        k,
        n,
        +ta,
        +tb,
        code,
        blocks,
        rows,
      ],
      total: panels * blocks,
      unit: 1,
      work: m * k * n,
      scratchFloats: simd.mat_mul_scratch_size(),
    });
  }
  runRangeKernels(backend, simd, calls);
  return c;
}

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
 * A product on the wasm backend: the SIMD GEMM ({@link simdMatMul}) where WebAssembly SIMD
 * runs and it covers the call. Otherwise XNNPACK: tfjs-backend-wasm multiplies through it only
 * when neither operand is transposed and both have batch 1; a transposed operand falls to a
 * scalar loop — and both gradients of a Dense layer ask for one. This kernel transposes such an
 * operand in memory and runs the untransposed, fast product; when packing the right operand
 * would cost more than the transposes, it computes `Cᵀ = op(B)ᵀ·op(A)ᵀ` instead (not for a
 * fused bias or activation). Batched products (batch > 1) stay on the stock kernel, which has
 * no fast path for them.
 */
function product(kernelName: string): KernelFunc {
  return ({ inputs, backend: anyBackend, attrs }) => {
    const backend = anyBackend as KernelBackend;
    const stock = stockKernel(kernelName);
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA: ta, transposeB: tb } = attrs as unknown as BatchMatMulAttrs;
    const fusedAttrs = attrs as unknown as Partial<_FusedMatMulAttrs>;
    const simd = simdKernels(backend);
    if (simd) {
      const c = simdMatMul(
        backend as WasmBackend,
        simd,
        inputs as { a: TensorInfo; b: TensorInfo; bias?: TensorInfo | null },
        ta,
        tb,
        fusedAttrs.activation,
        inputs.preluActivationWeights != null,
      );
      if (c) return c;
    }
    const batchOne = (x: TensorInfo) => util.sizeFromShape(x.shape.slice(0, -2)) === 1;
    if (!batchOne(a) || !batchOne(b) || a.dtype !== 'float32' || b.dtype !== 'float32') {
      return callKernel(stock, backend, inputs, attrs);
    }
    const ra = a.shape.length;
    const [m, k] = ta ? [a.shape[ra - 1]!, a.shape[ra - 2]!] : [a.shape[ra - 2]!, a.shape[ra - 1]!];
    const n = tb ? b.shape[b.shape.length - 2]! : b.shape[b.shape.length - 1]!;
    const plain =
      inputs.bias == null &&
      inputs.preluActivationWeights == null &&
      (fusedAttrs.activation === undefined || fusedAttrs.activation === 'linear');
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

/**
 * `BatchMatMul` for the wasm backend: the SIMD GEMM, or XNNPACK with transposed operands made
 * untransposed (see {@link product}).
 */
export const batchMatMulConfig: KernelConfig = {
  kernelName: 'BatchMatMul',
  backendName: 'wasm',
  kernelFunc: product('BatchMatMul'),
};

/**
 * `_FusedMatMul` for the wasm backend: the SIMD GEMM with its bias and ReLU / ReLU6, or XNNPACK
 * (see {@link product}).
 */
export const fusedMatMulConfig: KernelConfig = {
  kernelName: '_FusedMatMul',
  backendName: 'wasm',
  kernelFunc: product('_FusedMatMul'),
};
