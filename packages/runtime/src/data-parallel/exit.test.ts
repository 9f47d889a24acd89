import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const script = fileURLToPath(new URL('./test-fixtures/steps-without-dispose.mjs', import.meta.url));

it('a script that steps on 2 threads and never disposes: each step completes, then the process ends on its own', async () => {
  // the timeout only turns a hang into a failure
  const { stdout } = await promisify(execFile)(process.execPath, [script], { timeout: 120_000 });
  expect(stdout).toMatch(/step 1: loss [\d.]+\nstep 2: loss [\d.]+\nstep 3: loss [\d.]+\n/);
});
