import { describeBackendChoice, MAX_WASM_THREADS, useBestBackend } from '@bregman/runtime';

/**
 * Starts the tfjs backend of this process (`--backend`, else `BREGMAN_BACKEND`, else the
 * fastest available: `webgpu` on a GPU) and returns how the records name it, e.g.
 * `wasm (tfjs-backend-wasm 4.22.0, 1 thread)`. A wasm backend gets `threads` threads of its
 * own (`--threads`; at most `MAX_WASM_THREADS`), on which a run that does not train data
 * parallel computes its products and convolutions (see `prefersDataParallel`); its record
 * says how many it used.
 */
export async function startBackend(prefer: string | undefined, threads = 1): Promise<string> {
  const choice = await useBestBackend({
    ...(prefer === undefined ? {} : { prefer }),
    ...(threads > 1 ? { wasmThreads: Math.min(threads, MAX_WASM_THREADS) } : {}),
  });
  return describeBackendChoice(choice)
    .replace(/^backend /, '')
    .replace(/\): .*$/s, ')');
}
