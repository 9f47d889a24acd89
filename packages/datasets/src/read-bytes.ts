import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { DataFileError } from './data-file-error.js';

const gunzipAsync = promisify(gunzip);

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

/**
 * Reads a file, inflating it when it is gzip-compressed (detected by its magic number, not
 * its name). A missing file or a corrupt / truncated gzip stream is a {@link DataFileError}.
 */
export async function readMaybeGzipped(file: string): Promise<Uint8Array> {
  const raw = await readBytes(file);
  if (!isGzip(raw)) return raw;
  try {
    return await gunzipAsync(raw);
  } catch (error) {
    throw new DataFileError(file, `corrupt or truncated gzip data (${(error as Error).message})`, {
      cause: error,
    });
  }
}
