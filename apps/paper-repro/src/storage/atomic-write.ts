import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * {@link writeFileAtomic} could not write a file: the disk is full (`ENOSPC`), a write,
 * flush or rename failed, the directory could not be made. The target keeps its old
 * content (or stays absent) and the temporary file has been removed. The message names the
 * target and the cause; `cause` is the underlying error, `code` its code (e.g. `ENOSPC`).
 */
export class AtomicWriteError extends Error {
  /** `'AtomicWriteError'`, for logs and `instanceof`-free checks. */
  override readonly name = 'AtomicWriteError';
  /** The file that was to be written. */
  readonly path: string;
  /** The underlying error's code (`ENOSPC`, `EISDIR`, …), when it has one. */
  readonly code: string | undefined;

  /**
   * @param path - the file that was to be written
   * @param cause - the error that stopped the write
   * @param leftBehind - a temporary file that could not be removed either, if any
   */
  constructor(path: string, cause: unknown, leftBehind?: string) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    const why = cause instanceof Error ? cause.message : String(cause);
    const hint = code === 'ENOSPC' ? ' (the disk is full)' : '';
    const left = leftBehind ? `; the temporary file ${leftBehind} could not be removed` : '';
    super(`could not write ${path}: ${why}${hint}${left}`, { cause });
    this.path = path;
    this.code = typeof code === 'string' ? code : undefined;
  }
}

/**
 * Writes a file so that readers see either the old or the whole new content, never a
 * part: the bytes go to a temporary file beside it (`<path>.tmp-<pid>`), are flushed to
 * disk, and the temporary file is renamed over the target. Creates the directory when
 * missing.
 *
 * @throws AtomicWriteError on any failure (directory, open, write, flush, close, rename),
 * after removing the temporary file: a full disk leaves nothing behind.
 */
export function writeFileAtomic(
  path: string,
  data: string | Uint8Array | readonly Uint8Array[],
): void {
  const tmp = `${path}.tmp-${process.pid}`;
  let fd: number | undefined;
  let created = false;
  try {
    mkdirSync(dirname(path), { recursive: true });
    fd = openSync(tmp, 'w');
    created = true;
    const parts =
      typeof data === 'string' ? [Buffer.from(data)] : data instanceof Uint8Array ? [data] : data;
    for (const part of parts) {
      let written = 0;
      while (written < part.length) {
        const n = writeSync(fd, part, written);
        // a write that makes no progress would loop for ever
        if (!(n > 0))
          throw new Error(`write returned ${n} with ${part.length - written} bytes left`);
        written += n;
      }
    }
    fsyncSync(fd);
    const open = fd;
    fd = undefined;
    closeSync(open);
    renameSync(tmp, path);
  } catch (error) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // the write's error is the one to report
      }
    }
    let leftBehind: string | undefined;
    if (created) {
      try {
        unlinkSync(tmp);
      } catch (unlinkError) {
        if ((unlinkError as NodeJS.ErrnoException).code !== 'ENOENT') leftBehind = tmp;
      }
    }
    throw new AtomicWriteError(path, error, leftBehind);
  }
}

/** The temporary files of {@link writeFileAtomic} and the write probe of `prepareOutDir`. */
const TEMPORARY = /(\.tmp-\d+|^\.repro-write-test-\d+)$/;

/**
 * Removes the temporary files that a process killed in the middle of a
 * {@link writeFileAtomic} (or of the write probe) left below `dir`; returns them. Call it
 * only while no other process writes there (`pnpm repro` holds the directory's lock).
 */
export function removeStaleTemporaryFiles(dir: string): string[] {
  const stale = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) =>
    TEMPORARY.test(basename(f)),
  );
  for (const file of stale) rmSync(join(dir, file), { force: true });
  return stale;
}
