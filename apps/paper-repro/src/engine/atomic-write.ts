import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Writes a file so that readers see either the old or the whole new content, never a
 * part: the bytes go to a temporary file beside it, are flushed to disk, and the temporary
 * file is renamed over the target. Creates the directory when missing.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array | readonly Uint8Array[]) {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    const parts =
      typeof data === 'string' ? [Buffer.from(data)] : data instanceof Uint8Array ? [data] : data;
    for (const part of parts) {
      let written = 0;
      while (written < part.length) written += writeSync(fd, part, written);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
