import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * A script of this package that runs as a thread of its own, `dist/<path>` (`path` relative to
 * `dist`, e.g. `data-parallel/worker.js`): beside this module once built; when this module
 * runs from the TypeScript sources (tests), the package's built copy, which must then exist.
 * `user` names what needs it, for the error.
 */
export function compiledScript(path: string, user: string): URL {
  const beside = new URL(`./${path}`, import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  const built = new URL(`../dist/${path}`, import.meta.url);
  if (existsSync(fileURLToPath(built))) return built;
  throw new Error(
    `${user}: the thread script ${fileURLToPath(beside)} is missing; build @bregman/runtime first (pnpm --filter @bregman/runtime build)`,
  );
}
