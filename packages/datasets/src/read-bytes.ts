import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { DataFileError } from './data-file-error.js';

const gunzipAsync = promisify(gunzip);

/**
 * The most bytes a gzip-compressed data file may inflate to: 256 MiB. The largest file read
 * through gzip, MNIST's or Fashion-MNIST's `train-images-idx3-ubyte.gz`, inflates to
 * 47,040,016 bytes (60,000 × 28 × 28 plus a 16-byte header); a stream that inflates to more
 * is not such a file (or is a "gzip bomb") and is a {@link DataFileError}, raised as soon as
 * the cap is passed, without inflating the rest.
 */
export const MAX_GZIP_INFLATED_BYTES = 256 * 1024 * 1024;

/** True when `bytes` starts with the gzip magic number `1f 8b`. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Reads a file's bytes; a missing or unreadable file is a {@link DataFileError} (with
 * `whereToGet` appended to the "file not found" message when given).
 */
export async function readBytes(file: string, whereToGet?: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const notFound = whereToGet ? `file not found; ${whereToGet}` : 'file not found';
    throw new DataFileError(file, code === 'ENOENT' ? notFound : `cannot read (${String(error)})`, {
      cause: error,
    });
  }
}

/** A file as read from disk (`raw`) and its content (`data`: `raw` inflated when gzip). */
export interface FileContent {
  /** The bytes of the file itself (compressed when it is gzip). */
  raw: Uint8Array;
  /** The content: `raw` itself, or `raw` inflated. */
  data: Uint8Array;
}

/**
 * Reads a file, inflating it when it is gzip-compressed (detected by its magic number, not
 * its name), and returns both the file's bytes and its content. A missing file, a corrupt or
 * truncated gzip stream, or one that inflates to more than `maxInflatedBytes` (default
 * {@link MAX_GZIP_INFLATED_BYTES}) is a {@link DataFileError}.
 */
export async function readFileContent(
  file: string,
  maxInflatedBytes = MAX_GZIP_INFLATED_BYTES,
): Promise<FileContent> {
  const raw = await readBytes(file);
  if (!isGzip(raw)) return { raw, data: raw };
  try {
    // zlib stops (and fails with ERR_BUFFER_TOO_LARGE) once the output passes the cap
    return { raw, data: await gunzipAsync(raw, { maxOutputLength: maxInflatedBytes }) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new DataFileError(
        file,
        `gzip data inflates to more than ${maxInflatedBytes} bytes${inMiB(maxInflatedBytes)}, the cap on a compressed data file: not an MNIST / Fashion-MNIST file (the largest inflates to 47040016 bytes), or a gzip bomb`,
        { cause: error },
      );
    }
    throw new DataFileError(file, `corrupt or truncated gzip data (${(error as Error).message})`, {
      cause: error,
    });
  }
}

/** ` (N MiB)` for a whole number of MiB, else nothing. */
function inMiB(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return Number.isInteger(mib) ? ` (${mib} MiB)` : '';
}
