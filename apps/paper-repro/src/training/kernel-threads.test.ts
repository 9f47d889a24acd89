import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wasmKernelThreads, wasmThreadsEnabled } from '@bregman/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { LINBREG_MOMENTUM, prunedLasso, tinySpec } from '../shared/test-spec.test-helper.js';
import { runPaths } from '../storage/plan.js';
import { startBackend } from './backend.js';
import { trainRun } from './train-run.js';

// Its own test file, so its own process: the wasm backend here has 2 threads of its own.
beforeAll(async () => {
  expect(await startBackend('wasm', 2)).toMatch(/^wasm .*2 threads/);
  expect(wasmKernelThreads()).toBe(2);
});

describe('pnpm repro --threads 2: an MLP run on the wasm backend’s threads', () => {
  it('trains exactly the run of one thread, and says it used 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'repro-kernel-threads-'));
    const spec = tinySpec(LINBREG_MOMENTUM);
    const one = await trainRun(spec, runPaths(join(dir, 'one'), spec), {
      resume: false,
      backend: 'wasm',
      threads: 1,
    });
    const two = await trainRun(spec, runPaths(join(dir, 'two'), spec), {
      resume: false,
      backend: 'wasm',
      threads: 2,
    });
    expect(one.threads).toBe(1);
    expect(two.threads).toBe(2);
    expect(wasmThreadsEnabled()).toBe(true);
    const numbers = (r: typeof one) =>
      r.epochs.map((e) => [e.trainLoss, e.validationLoss, e.testAccuracy, e.nTotal]);
    expect(numbers(two)).toEqual(numbers(one));
  });

  it('a method that cannot train data parallel (a penalty, pruning) uses them too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'repro-kernel-threads-'));
    const spec = tinySpec(prunedLasso(2), { epochs: 2 });
    const record = await trainRun(spec, runPaths(dir, spec), {
      resume: false,
      backend: 'wasm',
      threads: 2,
    });
    expect(record.threads).toBe(2);
  });
});
