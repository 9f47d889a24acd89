// `kill -9` at random moments, then `--resume`: the records equal an uninterrupted sweep's,
// and no process or temporary file is left. The moments are drawn from the length of the
// uninterrupted sweep measured in the same test, so the test holds on a busy machine too
// (a kill that comes after the sweep ended only tests less).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '@bregman/test-utils';
import { describe, expect, it } from 'vitest';
import { filesBelow, MAIN, repro } from './cli.test-helper.js';
import type { RunRecord } from './storage/run-record.js';

const SWEEP = ['fig2', '--profile', 'smoke', '--jobs', '2'];

/**
 * A record without what differs from one sweep to another: wall times and dates, and the
 * threads the core split gave the run — a resumed sweep has fewer runs left, so its runs may get
 * the wasm backend's threads, on which they compute bit for bit the same numbers (the weights
 * are compared byte for byte below).
 */
function withoutTimes(record: RunRecord) {
  const { trainSeconds: _t, startedAt: _s, finishedAt: _f, threads: _n, ...rest } = record;
  return {
    ...rest,
    backend: record.backend.replace(/, \d+ threads?\)$/, ')'),
    epochs: record.epochs.map(({ seconds: _e, ...epoch }) => epoch),
  };
}

/** Whether a process exists and is not a zombie (a dead child that nobody reaped yet). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return true;
  // the state follows the command name, which is in parentheses and may hold spaces
  const text = readFileSync(stat, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2, text.lastIndexOf(')') + 3) !== 'Z';
}

/** Workers recorded in the results directory's lock (a killed sweep leaves it behind). */
function lockedWorkers(out: string): number[] {
  try {
    return (JSON.parse(readFileSync(join(out, '.repro.lock'), 'utf8')) as { workers: number[] })
      .workers;
  } catch {
    return [];
  }
}

/** Starts the sweep in a process group of its own and kills it after `delay` ms. */
async function killAfter(
  args: string[],
  delay: number,
  target: 'group' | 'main',
): Promise<{ killed: boolean; pids: number[] }> {
  const child: ChildProcess = spawn(process.execPath, [MAIN, ...args], {
    detached: true,
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const ended = await Promise.race([
    exited.then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), delay)),
  ]);
  const out = args[args.indexOf('--out') + 1]!;
  const workers = lockedWorkers(out);
  if (!ended) process.kill(target === 'group' ? -child.pid! : child.pid!, 'SIGKILL');
  await exited;
  return { killed: !ended, pids: [child.pid!, ...workers] };
}

describe('pnpm repro killed with kill -9, then --resume', () => {
  it('three kills (whole group, main process only, whole group) at random moments: records equal an uninterrupted sweep, no stray process or temporary file', async () => {
    const seed = Number(process.env.BREGMAN_KILL_SEED ?? Date.now() % 1_000_000);
    console.log(`kill moments drawn with BREGMAN_KILL_SEED=${seed}`);
    const draw = seededRandom(seed);

    const reference = mkdtempSync(join(tmpdir(), 'repro-kill-ref-'));
    const started = performance.now();
    const uninterrupted = repro(...SWEEP, '--out', reference);
    const length = performance.now() - started;
    expect(uninterrupted.code, uninterrupted.err).toBe(0);

    const out = mkdtempSync(join(tmpdir(), 'repro-kill-'));
    const pids: number[] = [];
    const kills: string[] = [];
    for (const [i, target] of (['group', 'main', 'group'] as const).entries()) {
      const delay = Math.round(300 + draw() * 0.9 * length);
      const args = [...SWEEP, '--out', out, ...(i > 0 ? ['--resume'] : [])];
      const result = await killAfter(args, delay, target);
      pids.push(...result.pids);
      kills.push(`${target} at ${delay} ms${result.killed ? '' : ' (had ended)'}`);
    }
    console.log(`kills: ${kills.join(', ')}`);
    const resumed = repro(...SWEEP, '--out', out, '--resume');
    expect(resumed.code, resumed.err).toBe(0);

    const files = filesBelow(reference);
    expect(filesBelow(out)).toEqual(files);
    for (const file of files.filter((f) => f.endsWith('.json'))) {
      const read = (dir: string) =>
        withoutTimes(JSON.parse(readFileSync(join(dir, file), 'utf8')) as RunRecord);
      expect(read(out), file).toEqual(read(reference));
    }
    for (const file of files.filter((f) => f.endsWith('.bin'))) {
      expect(readFileSync(join(out, file)).equals(readFileSync(join(reference, file))), file).toBe(
        true,
      );
    }
    // no temporary file, probe, lock or checkpoint is left, and every process has ended
    expect(
      files.filter((f) => /\.tmp-\d+$|\.repro-write-test|\.repro\.lock|\.ckpt$/.test(f)),
    ).toEqual([]);
    expect(pids.filter(running)).toEqual([]);
  });
});
