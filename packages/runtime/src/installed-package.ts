import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The path of `pkg`'s package.json as this package resolves it, or `undefined` when absent. */
export function packageJsonPath(pkg: string): string | undefined {
  try {
    return require.resolve(`${pkg}/package.json`);
  } catch {
    return undefined;
  }
}

/** The version of an installed package (its package.json, as this package resolves it). */
export function packageVersion(pkg: string): string {
  const path = packageJsonPath(pkg);
  if (!path) throw new Error(`${pkg} is not installed`);
  return String(JSON.parse(readFileSync(path, 'utf8')).version);
}
