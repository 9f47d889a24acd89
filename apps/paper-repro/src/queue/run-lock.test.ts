import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireRunLock, type RunLockOwner } from './run-lock.js';

const OPTIONS = { heartbeatMs: 1000, staleMs: 30_000 };
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** A process that sleeps until it is killed. */
function sleeper(): number {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(child);
  return child.pid!;
}
/** Waits until `condition` holds (a guard of 60 s against a hang, not a speed check). */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in 60 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A lock file held by someone else. */
function heldBy(host: string, pid: number, ageMs = 0): { path: string; owner: RunLockOwner } {
  const path = join(mkdtempSync(join(tmpdir(), 'run-lock-')), 'locks', 'k.lock');
  const owner = { host, pid, worker: `${host}:${pid}`, since: '2024-01-01T00:00:00.000Z' };
  acquireRunLock(path, 'setup', OPTIONS); // makes the directory
  writeFileSync(path, JSON.stringify(owner));
  const then = new Date(Date.now() - ageMs);
  utimesSync(path, then, then);
  return { path, owner };
}

describe('acquireRunLock', () => {
  it('creates the lock with its owner and removes it on release', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'run-lock-')), 'locks', 'k.lock');
    const result = acquireRunLock(path, 'me:1', OPTIONS);
    if (!result.acquired) throw new Error('not acquired');
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({
      host: hostname(),
      pid: process.pid,
      worker: 'me:1',
    });
    expect(result.lock.tookOver).toBeUndefined();
    result.lock.release();
    expect(existsSync(path)).toBe(false);
  });

  it('is not acquired while a live process here, or a recently heard one elsewhere, holds it', () => {
    const here = heldBy(hostname(), sleeper());
    expect(acquireRunLock(here.path, 'me:1', OPTIONS)).toEqual({
      acquired: false,
      holder: here.owner,
    });
    const there = heldBy('other-host', 12345, 1000);
    expect(acquireRunLock(there.path, 'me:1', OPTIONS)).toEqual({
      acquired: false,
      holder: there.owner,
    });
  });

  it('takes over from a dead process here, and from one elsewhere silent for staleMs', () => {
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
    for (const { path, owner } of [
      heldBy(hostname(), deadPid),
      heldBy('other-host', 12345, OPTIONS.staleMs + 5000),
    ]) {
      const result = acquireRunLock(path, 'me:1', OPTIONS);
      if (!result.acquired) throw new Error(`not taken over from ${owner.worker}`);
      expect(result.lock.tookOver).toEqual(owner);
      expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ pid: process.pid });
      result.lock.release();
    }
  });

  it('touches the file while held, and says so when another holder replaced it (then leaves it)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'run-lock-')), 'k.lock');
    const lost: Array<RunLockOwner | undefined> = [];
    const result = acquireRunLock(path, 'me:1', {
      heartbeatMs: 20,
      staleMs: 30_000,
      onLost: (now) => lost.push(now),
    });
    if (!result.acquired) throw new Error('not acquired');
    const past = new Date(Date.now() - 60_000);
    utimesSync(path, past, past);
    await until(() => Date.now() - statSync(path).mtimeMs < 30_000);
    const other = { host: 'other-host', pid: 1, worker: 'other-host:1', since: 'now' };
    writeFileSync(path, JSON.stringify(other));
    await until(() => lost.length > 0);
    expect(lost).toEqual([other]);
    result.lock.release();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(other);
  });
});
