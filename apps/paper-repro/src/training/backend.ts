import { describeBackendChoice, useBestBackend } from '@bregman/runtime';

/**
 * Starts the tfjs backend of this process (`--backend`, else `BREGMAN_BACKEND`, else the
 * fastest available: `webgpu` on a GPU) and returns how the records name it, e.g.
 * `wasm (tfjs-backend-wasm 4.22.0, 1 thread)`.
 */
export async function startBackend(prefer: string | undefined): Promise<string> {
  const choice = await useBestBackend(prefer === undefined ? {} : { prefer });
  return describeBackendChoice(choice)
    .replace(/^backend /, '')
    .replace(/\): .*$/s, ')');
}
