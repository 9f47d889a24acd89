import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { bitFlipsArb, type Mutation, mutationsArb } from '@bregman/test-utils';
import fc from 'fast-check';

/** Byte-level damage: 1–3 truncations, bit flips, insertions or deletions, or 1–8 bit flips. */
export const byteDamageArb: fc.Arbitrary<Mutation[]> = fc.oneof(mutationsArb, bitFlipsArb);

/** The repository's `docs/results`: the results of earlier sweeps, committed. */
export const COMMITTED_RESULTS = join(import.meta.dirname, '../../../../docs/results');

/**
 * The files under {@link COMMITTED_RESULTS} (paths relative to it) that `keep` accepts; none
 * when the folder is absent.
 */
export function committedResults(keep: (file: string) => boolean): string[] {
  return existsSync(COMMITTED_RESULTS)
    ? (readdirSync(COMMITTED_RESULTS, { recursive: true }) as string[]).filter(keep)
    : [];
}
