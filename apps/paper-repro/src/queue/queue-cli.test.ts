// The queue's command-line errors, with the built CLIs: no Redis needed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repro } from '../cli.test-helper.js';
import { freePort, WORKER_MAIN } from './queue.test-helper.js';

/** Runs `pnpm repro-worker ARGS` to its end (a guard of 5 minutes against a hang). */
function worker(...args: string[]) {
  const result = spawnSync(process.execPath, [WORKER_MAIN, ...args], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe('pnpm repro --queue and pnpm repro-worker: usage errors (exit 2, one line)', () => {
  it('a queue where nothing listens: the URL and what to do, before anything is written', async () => {
    const port = await freePort();
    const out = join(mkdtempSync(join(tmpdir(), 'repro-noqueue-')), 'results');
    const planner = repro(
      'fig2',
      '--profile',
      'smoke',
      '--queue',
      `redis://127.0.0.1:${port}`,
      '--out',
      out,
    );
    expect(planner.code).toBe(2);
    expect(planner.err.trim()).toBe(
      `repro: cannot use the queue at redis://127.0.0.1:${port} (--queue): nothing listens on ` +
        `127.0.0.1:${port} (start it: redis-server --port ${port}; or check the address)`,
    );
    expect(existsSync(out)).toBe(false);
    const w = worker('--queue', `redis://127.0.0.1:${port}`);
    expect(w.code).toBe(2);
    expect(w.err.trim()).toBe(
      `repro-worker: cannot use the queue at redis://127.0.0.1:${port} (--queue): nothing listens on ` +
        `127.0.0.1:${port} (start it: redis-server --port ${port}; or check the address)`,
    );
  });

  it.each([
    [
      ['--queue', 'localhost:6379'],
      /--queue 'localhost:6379' is a localhost: URL, not redis: or rediss:/,
    ],
    [['--queue', 'redis://q:99999'], /--queue 'redis:\/\/q:99999': port 99999 is out of range/],
  ])('%j names --queue and the form it takes', (args, message) => {
    const planner = repro('fig2', ...args);
    expect(planner.code).toBe(2);
    expect(planner.err).toMatch(new RegExp(`^repro: ${message.source}.*it takes redis://`));
    const w = worker(...args);
    expect(w.code).toBe(2);
    expect(w.err).toMatch(new RegExp(`^repro-worker: ${message.source}.*it takes redis://`));
  });

  it('--jobs, --threads or --backend with --queue: the workers take them', () => {
    const { code, err } = repro('fig2', '--queue', 'redis://q', '--jobs', '2');
    expect(code).toBe(2);
    expect(err).toMatch(
      /^repro: --jobs and --queue do not go together: with --queue the workers train; give --concurrency to pnpm repro-worker instead/,
    );
  });

  it('pnpm repro-worker --help prints its usage and exits 0; without --queue it exits 2', () => {
    const help = worker('--help');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^pnpm repro-worker --queue URL \[options\]/);
    expect(help.out).toContain('--lock-seconds');
    const none = worker();
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/^repro-worker: --queue URL is required/);
  });
});
