// The built CLI as `pnpm repro` runs it (turbo builds the app before its tests), for the
// end-to-end tests.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunRecord } from './storage/run-record.js';

/** `dist/main.js`. */
export const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js');

/** Runs `pnpm repro ARGS` to its end (a 15-minute guard against a hang). */
export function repro(...args: string[]) {
  const result = spawnSync(process.execPath, [MAIN, ...args], {
    encoding: 'utf8',
    timeout: 900_000,
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

/** The run records of an experiment in a results directory. */
export function records(out: string, experiment: string): RunRecord[] {
  const dir = join(out, experiment, 'runs');
  return readdirSync(dir).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as RunRecord);
}

/** Every file below `dir`, relative to it, sorted. */
export function filesBelow(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? filesBelow(dir, join(prefix, e.name)) : [join(prefix, e.name)],
    )
    .sort();
}
