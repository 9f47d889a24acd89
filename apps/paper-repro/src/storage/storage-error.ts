const STORAGE_CODES = new Set([
  'ENOSPC',
  'EDQUOT',
  'EROFS',
  'EACCES',
  'EPERM',
  'EIO',
  'EFBIG',
  'EISDIR',
  'ENOTDIR',
]);

/**
 * Whether an error (or its `cause`) is a failure to write to the disk: full, read-only, no
 * permission, a directory in the way. Such a failure stops a sweep (`pnpm repro` exit 3):
 * every later run would fail the same way.
 */
export function isStorageError(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== undefined && STORAGE_CODES.has(code)) return true;
  }
  return false;
}
