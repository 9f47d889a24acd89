import type { KernelConfig } from '@tensorflow/tfjs-core';

/** tfjs-backend-wasm's own kernels that this package replaced, by kernel name. */
export const stockKernels = new Map<string, KernelConfig>();

/** The stock wasm kernel `name` that a replacement falls back to. */
export function stockKernel(name: string): KernelConfig {
  const config = stockKernels.get(name);
  if (!config) {
    throw new Error(
      `tfjs-backend-wasm's own '${name}' kernel was not registered when @bregman/runtime ` +
        'replaced it; import @tensorflow/tfjs-backend-wasm 4.22.0 before registerWasmTrainingKernels()',
    );
  }
  return config;
}
