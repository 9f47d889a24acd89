import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { createLockFile } from './lock-file.js';
import { processAlive } from './process-alive.js';

/** Another `pnpm repro` is writing to the same results directory: exit 2, nothing trained. */
export class OutDirBusyError extends Error {}

/** What `<out>/.repro.lock` holds. */
interface LockContent {
  /** The `pnpm repro` process. */
  pid: number;
  /** Its worker processes (`--jobs`). */
  workers: number[];
  /** When it started (ISO 8601). */
  startedAt: string;
}

/** The lock of a results directory, held by this process until {@link OutDirLock.release}. */
export interface OutDirLock {
  /** The lock file. */
  readonly path: string;
  /** Records a worker process, so that a later run waits for it even if this process dies. */
  addWorker(pid: number): void;
  /** Removes the lock file (also done when this process exits). */
  release(): void;
}

/** Options of {@link lockOutDir}. */
export interface LockOptions {
  /** How long to wait for the workers of a dead `pnpm repro` to stop (ms, default 60 s). */
  orphanWaitMs?: number;
}

function readLock(path: string): LockContent | undefined {
  try {
    const content = JSON.parse(readFileSync(path, 'utf8')) as LockContent;
    return Number.isInteger(content.pid) && Array.isArray(content.workers) ? content : undefined;
  } catch {
    return undefined; // gone, or cut short by a crash while it was written: stale
  }
}

/**
 * Takes `<dir>/.repro.lock`, so that two `pnpm repro` never write to one results
 * directory at once. A lock whose process is alive is an {@link OutDirBusyError}. When that
 * process is dead (killed) but its workers still run, waits for them: a worker stops at
 * its next batch once its parent is gone. A stale lock is taken over.
 */
export async function lockOutDir(dir: string, options: LockOptions = {}): Promise<OutDirLock> {
  const path = join(dir, '.repro.lock');
  const content: LockContent = {
    pid: process.pid,
    workers: [],
    startedAt: new Date().toISOString(),
  };
  const write = () => writeFileAtomic(path, `${JSON.stringify(content)}\n`);
  for (let attempt = 0; ; attempt++) {
    try {
      createLockFile(path, content);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
    }
    const held = readLock(path);
    if (held && held.pid !== process.pid && processAlive(held.pid)) {
      throw new OutDirBusyError(
        `--out ${dir} is in use by another pnpm repro (pid ${held.pid}, started ${held.startedAt}); ` +
          `wait for it to end, or stop it; if no such process runs, delete ${path}`,
      );
    }
    const orphans = (held?.workers ?? []).filter(processAlive);
    const deadline = Date.now() + (options.orphanWaitMs ?? 60_000);
    while (orphans.some(processAlive) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const left = orphans.filter(processAlive);
    if (left.length > 0) {
      throw new OutDirBusyError(
        `--out ${dir}: worker process(es) ${left.join(', ')} of an earlier pnpm repro (pid ${held!.pid}, ended) still run; ` +
          `they stop at their next batch; wait, or kill them, then rerun`,
      );
    }
    rmSync(path, { force: true });
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    rmSync(path, { force: true });
    process.off('exit', release);
  };
  process.on('exit', release);
  return {
    path,
    addWorker(pid: number) {
      content.workers.push(pid);
      if (!released) write();
    },
    release,
  };
}
