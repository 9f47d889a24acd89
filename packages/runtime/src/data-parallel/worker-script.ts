import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The compiled worker thread script, `dist/data-parallel/worker.js`: beside this module once
 * built; when this module runs from the TypeScript sources (tests), the package's built copy,
 * which must then exist.
 */
export function workerScript(): URL {
  const beside = new URL('./worker.js', import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  const built = new URL('../../dist/data-parallel/worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return built;
  throw new Error(
    `DataParallelTrainer: the worker thread script ${fileURLToPath(beside)} is missing; build @bregman/runtime first (pnpm --filter @bregman/runtime build)`,
  );
}
