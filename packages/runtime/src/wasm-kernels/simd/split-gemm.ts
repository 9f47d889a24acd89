// The hook through which a wasm backend's matrix products run on several threads (Node.js:
// gemm-threads.ts); no Node.js module here, so the kernels stay usable in a browser.

/** One product as `kernels.c`'s `mat_mul` takes it (heap offsets, sizes, flags). */
export interface GemmCall {
  a: number;
  b: number;
  c: number;
  scratch: number;
  bias: number;
  m: number;
  k: number;
  n: number;
  aTransposed: number;
  bTransposed: number;
  activation: number;
}

/** Computes products as `mat_mul` does, shared among threads. */
export interface SplitGemm {
  /** All threads of a product, the calling one included. */
  readonly threads: number;
  /** Computes `call` (on the calling thread alone when it is too small to share). */
  mat_mul(call: GemmCall): void;
}

const split = new WeakMap<object, SplitGemm>();

/** The threads that compute `backend`'s products, if it has any. */
export function splitGemmOf(backend: object): SplitGemm | undefined {
  return split.get(backend);
}

/** Makes `gemm` compute `backend`'s products from now on (`undefined`: its thread alone). */
export function setSplitGemm(backend: object, gemm: SplitGemm | undefined): void {
  if (gemm) split.set(backend, gemm);
  else split.delete(backend);
}
