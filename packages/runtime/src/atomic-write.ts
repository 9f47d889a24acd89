import { open, rename, unlink } from 'node:fs/promises';

/**
 * Writes `data` to `path` so that a reader (or a process started after a crash) sees the
 * old file or the whole new one, never a part: the bytes go to a temporary file beside the
 * target (`<path>.tmp-<pid>-<random>`), are flushed to disk, and the temporary file is
 * renamed over the target. On failure the temporary file is removed and the error rethrown.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  const file = await open(tmp, 'w');
  try {
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, path);
  } catch (error) {
    await unlink(tmp).catch(() => {});
    throw error;
  }
}

/**
 * Flushes a directory's entries (the renames of {@link writeFileAtomic}) to disk, where the
 * platform allows it (Linux, macOS); elsewhere a no-op.
 */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows cannot open a directory; some file systems refuse fsync on one
  } finally {
    await handle?.close().catch(() => {});
  }
}
