/**
 * Whether a process with this id runs on this machine (one we may not signal counts as
 * running). A lock file's owner check: a holder that died leaves its lock stale.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
