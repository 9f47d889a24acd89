import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lockOutDir, OutDirBusyError } from './out-dir-lock.js';

const children: ChildProcess[] = [];
/** A process that sleeps until it is killed. */
function sleeper(): number {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(child);
  return child.pid!;
}
/** The pid of a process that has ended. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid!;
}
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

describe('lockOutDir', () => {
  it('writes the lock with this process and its workers, and removes it on release', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    const lock = await lockOutDir(dir);
    lock.addWorker(123);
    expect(JSON.parse(readFileSync(lock.path, 'utf8'))).toMatchObject({
      pid: process.pid,
      workers: [123],
    });
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
  });

  it('refuses a directory locked by a live process, naming it and the lock file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    const pid = sleeper();
    const path = join(dir, '.repro.lock');
    writeFileSync(path, JSON.stringify({ pid, workers: [], startedAt: 'then' }));
    await expect(lockOutDir(dir)).rejects.toThrow(OutDirBusyError);
    await expect(lockOutDir(dir)).rejects.toThrow(
      `is in use by another pnpm repro (pid ${pid}, started then)`,
    );
    expect(existsSync(path)).toBe(true);
  });

  it('takes over a stale lock (dead process) and a garbled one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    const path = join(dir, '.repro.lock');
    writeFileSync(path, JSON.stringify({ pid: deadPid(), workers: [deadPid()], startedAt: 'x' }));
    (await lockOutDir(dir)).release();
    writeFileSync(path, '{"pid": 12');
    const lock = await lockOutDir(dir);
    expect(JSON.parse(readFileSync(path, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('waits for the workers of a killed sweep, and refuses when they outlive the wait', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    const path = join(dir, '.repro.lock');
    const worker = sleeper();
    writeFileSync(path, JSON.stringify({ pid: deadPid(), workers: [worker], startedAt: 'x' }));
    await expect(lockOutDir(dir, { orphanWaitMs: 50 })).rejects.toThrow(
      `worker process(es) ${worker} of an earlier pnpm repro`,
    );
    setTimeout(() => children[0]!.kill('SIGKILL'), 100);
    const lock = await lockOutDir(dir, { orphanWaitMs: 600_000 });
    lock.release();
  });
});
