import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The paper's numbers and claims (`shared/reference/paper-results.json`) and where they came from. */
export interface Reference {
  /** The parsed file, or `{}` when it was not found. */
  data: Record<string, unknown>;
  /** The path read, relative to the repository (the report is committed), or why nothing was. */
  source: string;
}

/**
 * Reads `reference/paper-results.json` from `$BREGMAN_SHARED_DIR`, else from the `shared/`
 * folder beside the repository.
 */
export function readReference(env: Record<string, string | undefined> = process.env): Reference {
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const shared = env.BREGMAN_SHARED_DIR ?? join(repo, '..', 'shared');
  const path = join(shared, 'reference', 'paper-results.json');
  const shown = relative(repo, path);
  if (!existsSync(path)) {
    return {
      data: {},
      source: `not found (${shown}); the claims are checked from their text in the code`,
    };
  }
  try {
    return {
      data: JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>,
      source: shown,
    };
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
}
