import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../shared/exit-codes.js';

const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist');
const CRASH = join(DIST, 'jobs', 'crash.js');
const BACKEND = join(DIST, 'training', 'backend.js');

/** Runs an ES module in a new Node process from this package's directory. */
function node(source: string) {
  return spawnSync(process.execPath, ['--input-type=module', '-e', source], {
    cwd: join(dirname(fileURLToPath(import.meta.url)), '..', '..'),
    encoding: 'utf8',
  });
}

describe('exitOnCrash', () => {
  it.each([
    ['an uncaught exception', "setTimeout(() => { throw new Error('boom'); });"],
    ['an unhandled rejection', "Promise.reject(new Error('boom'));"],
  ])(
    '%s after the wasm backend started (its handlers rethrow: Node exits 7) exits 4 with the stack',
    (_what, crash) => {
      const result = node(`
        const { exitOnCrash } = await import(${JSON.stringify(CRASH)});
        const { startBackend } = await import(${JSON.stringify(BACKEND)});
        exitOnCrash('test');
        await startBackend('wasm');
        if (process.listeners('uncaughtException').length < 2) throw new Error('no wasm handler');
        ${crash}
      `);
      expect(result.stderr).toMatch(/^test: internal error: Error: boom\n {4}at /m);
      expect(result.status).toBe(EXIT.internal);
    },
  );
});
