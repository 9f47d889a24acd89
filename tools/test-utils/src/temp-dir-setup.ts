// Vitest global setup of every workspace package: the tests' temporary files go to one
// directory of their own (TMPDIR, which `os.tmpdir()` and the processes the tests start
// read), removed when the run ends — test runs left their directories in /tmp before.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Points TMPDIR at a fresh directory for this run; the returned teardown removes it. */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'bregman-tests-'));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch (error) {
      console.warn(`the tests' temporary directory ${dir} could not be removed: ${String(error)}`);
    }
  };
}
