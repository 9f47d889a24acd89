import { closeSync, openSync, writeSync } from 'node:fs';

/**
 * Creates the lock file `path` holding `owner` as one line of JSON, only if no file is
 * there: created exclusively (`O_EXCL`, atomic on local disks and NFS), so that of two
 * processes that try at once exactly one gets the lock.
 *
 * @throws the `EEXIST` error when a file is there (a holder's, or a stale one), or any other
 * error of creating or writing it.
 */
export function createLockFile(path: string, owner: unknown): void {
  const fd = openSync(path, 'wx');
  try {
    writeSync(fd, `${JSON.stringify(owner)}\n`);
  } finally {
    closeSync(fd);
  }
}
