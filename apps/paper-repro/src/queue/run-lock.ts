import { randomBytes } from 'node:crypto';
import {
  linkSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { createLockFile } from '../storage/lock-file.js';
import { processAlive } from '../storage/process-alive.js';

/** Who holds a run's lock: the content of its lock file. */
export interface RunLockOwner {
  /** The host name of the process that trains the run. */
  host: string;
  /** Its process id. */
  pid: number;
  /** The worker it belongs to, as logs name it (`HOST:PID`). */
  worker: string;
  /** When it took the lock (ISO 8601). */
  since: string;
}

/** Options of {@link acquireRunLock}. */
export interface RunLockOptions {
  /** How often the holder touches the lock file to show it is alive (ms). */
  heartbeatMs: number;
  /**
   * A lock whose file was not touched for this long is stale (ms): its holder is dead or cut
   * off. A holder on this host is known dead at once when its process is gone.
   */
  staleMs: number;
  /** Called when the lock file is found to be no longer this holder's. */
  onLost?: (now: RunLockOwner | undefined) => void;
}

/** A run lock this process holds. */
export interface RunLock {
  /** The lock file. */
  readonly path: string;
  /** The owner it was taken over from (a dead or silent holder), if any. */
  readonly tookOver: RunLockOwner | undefined;
  /** Stops the heartbeat and removes the lock file, if it is still this process's. */
  release(): void;
}

/** The outcome of {@link acquireRunLock}. */
export type RunLockResult =
  | { acquired: true; lock: RunLock }
  | {
      acquired: false;
      /** The live holder (undefined when its file cannot be read yet). */
      holder: RunLockOwner | undefined;
    };

function readOwner(path: string): RunLockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as RunLockOwner;
    return typeof owner.host === 'string' && Number.isInteger(owner.pid) ? owner : undefined;
  } catch {
    return undefined; // gone, or being written
  }
}

function isMine(owner: RunLockOwner | undefined): boolean {
  return owner?.host === hostname() && owner.pid === process.pid;
}

/** Whether the lock at `path` (with stat `ino` and `mtimeMs`) no longer has a live holder. */
function isStale(owner: RunLockOwner | undefined, mtimeMs: number, staleMs: number): boolean {
  if (owner?.host === hostname() && !processAlive(owner.pid)) return true;
  return Date.now() - mtimeMs > staleMs;
}

/**
 * Takes the lock of one training in the shared results directory, so that two workers
 * never train a run at the same time even if the queue gave it out twice (a worker cut off
 * from Redis loses its BullMQ lock but may still be training). The file is created
 * exclusively (`O_EXCL`, atomic on local disks and NFS) and holds its owner; the holder
 * touches it every `heartbeatMs`. A lock whose holder is dead (same host) or silent for
 * `staleMs` (any host: clocks are assumed in step within seconds) is taken over; one with
 * a live holder is not acquired.
 */
export function acquireRunLock(
  path: string,
  worker: string,
  options: RunLockOptions,
): RunLockResult {
  const me: RunLockOwner = {
    host: hostname(),
    pid: process.pid,
    worker,
    since: new Date().toISOString(),
  };
  mkdirSync(dirname(path), { recursive: true });
  let tookOver: RunLockOwner | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      createLockFile(path, me);
      return { acquired: true, lock: holdRunLock(path, options, tookOver) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let stat: { ino: number; mtimeMs: number };
    try {
      stat = statSync(path);
    } catch {
      continue; // released meanwhile: try again
    }
    const owner = readOwner(path);
    if (isMine(owner)) return { acquired: true, lock: holdRunLock(path, options, undefined) };
    if (!isStale(owner, stat.mtimeMs, options.staleMs)) return { acquired: false, holder: owner };
    // move the stale file aside (atomic); if another worker replaced it meanwhile, put that back
    const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      renameSync(path, aside);
    } catch {
      continue;
    }
    if (statSync(aside).ino !== stat.ino) {
      try {
        linkSync(aside, path);
      } catch {
        // a third lock is there now: the one moved aside was replaced, which its holder notices
      }
    } else {
      tookOver = owner;
    }
    rmSync(aside, { force: true });
  }
  return { acquired: false, holder: readOwner(path) };
}

function holdRunLock(
  path: string,
  options: RunLockOptions,
  tookOver: RunLockOwner | undefined,
): RunLock {
  let lost = false;
  const beat = () => {
    const owner = readOwner(path);
    if (!isMine(owner)) {
      if (!lost) options.onLost?.(owner);
      lost = true;
      return;
    }
    const now = new Date();
    try {
      utimesSync(path, now, now);
    } catch {
      // a missed beat is harmless; the next one tries again
    }
  };
  const timer = setInterval(beat, options.heartbeatMs);
  timer.unref();
  return {
    path,
    tookOver,
    release() {
      clearInterval(timer);
      if (isMine(readOwner(path))) rmSync(path, { force: true });
    },
  };
}
