import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A nested array of numbers, as stored in the fixture. */
export type NestedNumbers = number | NestedNumbers[];

/** One regularizer configuration as the fixture writes it. */
export interface GoldenRegularizer {
  type: string;
  lambda: number;
  reduceAxes?: number[];
}

/** A prox case: `prox_{δJ}(x)`, `J(prox)` and `∂J(prox)`. */
export interface GoldenProxCase {
  name: string;
  regularizer: GoldenRegularizer;
  delta: number;
  x: NestedNumbers;
  prox: NestedNumbers;
  value: number;
  subgradientAtProx: NestedNumbers;
}

/** A short training run of the fixture's tiny model. */
export interface GoldenRun {
  optimizer: string;
  hyper: Record<string, number>;
  kernelRegularizer: GoldenRegularizer | null;
  lossBeforeEachStep: number[];
  paramsAfterEachStep: NestedNumbers[][];
}

/** The whole fixture file `shared/fixtures/golden-public.json`. */
export interface Golden {
  about: string;
  prox: GoldenProxCase[];
  model: { nIn: number; nHidden: number; nOut: number; init: NestedNumbers[] };
  batches: Array<{ x: NestedNumbers; [key: string]: NestedNumbers }>;
  runs: GoldenRun[];
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The project's `shared/` folder: `$BREGMAN_SHARED_DIR` when set, else `../shared`
 * beside the repository (where CI and every checkout have it).
 */
export function sharedDir(): string {
  const candidates = [process.env.BREGMAN_SHARED_DIR, join(repoRoot, '..', 'shared')].filter(
    (p): p is string => typeof p === 'string' && p.length > 0,
  );
  for (const dir of candidates) {
    if (existsSync(join(dir, 'fixtures', 'golden-public.json'))) return dir;
  }
  throw new Error(
    `shared/ not found (looked in ${candidates.join(', ')}); set BREGMAN_SHARED_DIR to the folder that holds fixtures/golden-public.json`,
  );
}

/** Reads the golden float64 fixture. */
export function loadGolden(): Golden {
  return JSON.parse(readFileSync(join(sharedDir(), 'fixtures', 'golden-public.json'), 'utf8'));
}
