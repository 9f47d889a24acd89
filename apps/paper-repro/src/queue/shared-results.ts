import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** The folder of a results directory that the queue's planner and workers share. */
export const QUEUE_DIR = '.repro-queue';

/** `<out>/.repro-queue/id`: the results directory's id. */
function idPath(out: string): string {
  return join(out, QUEUE_DIR, 'id');
}

/**
 * The id of the results directory `out`, made (random, 12 hex digits) the first time a
 * planner uses it. Every job carries it, and a worker writes into a directory only when it
 * holds the same id: the way to tell that the worker's `--out` is the planner's directory,
 * shared, and not a local one of the same name.
 */
export function resultsId(out: string): string {
  const path = idPath(out);
  const existing = readResultsId(out);
  if (existing !== undefined) return existing;
  mkdirSync(join(out, QUEUE_DIR), { recursive: true });
  const id = randomBytes(6).toString('hex');
  try {
    const fd = openSync(path, 'wx');
    try {
      writeSync(fd, `${id}\n`);
    } finally {
      closeSync(fd);
    }
    return id;
  } catch (error) {
    // another planner made it first: use that one
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readResultsId(out) ?? id;
    throw error;
  }
}

/** The id of the results directory `out`, or `undefined` when it has none (or is not there). */
export function readResultsId(out: string): string | undefined {
  try {
    return readFileSync(idPath(out), 'utf8').trim() || undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/** `<out>/.repro-queue/locks/<key>.lock`: the lock of the training with this key. */
export function runLockPath(out: string, key: string): string {
  return join(out, QUEUE_DIR, 'locks', `${key}.lock`);
}
