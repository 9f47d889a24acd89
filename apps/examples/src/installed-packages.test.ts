// What a new user does, end to end, with the packages as npm would install them: pack the
// packages, install the tarballs and @tensorflow/tfjs with npm in a fresh project, train an
// own model to a target density keeping the sparsest good epoch, compact it, save it with
// fileSystemHandler, reload it in a process that imports only @tensorflow/tfjs, and compare
// the predictions. Needs the npm registry (for @tensorflow/tfjs): CI has it.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const USER_SCRIPTS = fileURLToPath(new URL('../installed', import.meta.url));
/** The packages a user installs, and those they depend on. */
const PACKAGES = ['core-prox', 'init', 'optimizers', 'metrics', 'models', 'runtime'];

function run(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 900_000 });
  const output = `${command} ${args.join(' ')} (in ${cwd}) exited ${result.status}:\n${result.stdout}\n${result.stderr}`;
  expect(result.status, output).toBe(0);
  return result.stdout;
}

it('packed and installed with npm: train to a target density, keep the sparsest good epoch, compact, save, reload with plain tfjs', () => {
  const work = mkdtempSync(join(tmpdir(), 'bregman-installed-'));
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  for (const name of PACKAGES) {
    run('pnpm', ['pack', '--pack-destination', tarballs], join(ROOT, 'packages', name));
  }
  const project = join(work, 'project');
  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'a-user', private: true, type: 'module' }),
  );
  const packed = readdirSync(tarballs).map((f) => join(tarballs, f));
  expect(packed).toHaveLength(PACKAGES.length);
  run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...packed,
      '@tensorflow/tfjs@4.22.0',
    ],
    project,
  );
  // nothing that downloads libtensorflow or Dawn came with them
  const installed = readdirSync(join(project, 'node_modules', '@tensorflow'));
  expect(installed).not.toContain('tfjs-node');
  expect(installed).not.toContain('tfjs-node-gpu');
  expect(readdirSync(join(project, 'node_modules'))).not.toContain('webgpu');

  for (const script of ['train.mjs', 'reload.mjs']) {
    copyFileSync(join(USER_SCRIPTS, script), join(project, script));
  }
  const saved = join(project, 'model');
  const trained = JSON.parse(run(process.execPath, ['train.mjs', saved], project).trim());
  expect(trained.backend).toBe('wasm');
  expect(trained.kept).not.toBeNull();
  expect(trained.kept.value).toBeGreaterThanOrEqual(0.9);
  expect(trained.kept.density).toBeLessThan(0.5);
  expect(Math.abs(trained.lastAdjustment.after / 0.1 - 1)).toBeLessThanOrEqual(0.05);
  expect(trained.params[1]).toBeLessThanOrEqual(trained.params[0]);

  const reloaded = JSON.parse(run(process.execPath, ['reload.mjs', saved], project).trim());
  expect(reloaded.predictions).toHaveLength(trained.predictions.length);
  reloaded.predictions.forEach((p: number, i: number) => {
    expect(Math.abs(p - trained.predictions[i])).toBeLessThanOrEqual(1e-5);
  });
  rmSync(work, { recursive: true, force: true });
});
