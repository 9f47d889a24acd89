import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic-write.js';

/** A float32 or int32 array with its shape, as a checkpoint stores it. */
export interface StoredTensor {
  /** Name, unique within the checkpoint. */
  name: string;
  /** Shape. */
  shape: number[];
  /** Element type. */
  dtype: 'float32' | 'int32';
  /** Values, row-major. */
  values: Float32Array | Int32Array;
}

/** A checkpoint: JSON state plus named tensors. */
export interface Checkpoint<State> {
  /** Plain JSON state (epoch, learning rate, scheduler, records…). */
  state: State;
  /** Tensors (model weights, optimizer state…), in order. */
  tensors: StoredTensor[];
}

/**
 * A checkpoint file that cannot be read back as written: not a checkpoint, truncated, a
 * header that is not valid JSON or describes impossible tensors, or (format 2) bytes that
 * no longer match the checksum recorded when it was written. The message names the file
 * and says what is wrong.
 */
export class CorruptCheckpointError extends Error {
  /** `'CorruptCheckpointError'`, for logs and `instanceof`-free checks. */
  override readonly name = 'CorruptCheckpointError';
  /** The checkpoint file. */
  readonly path: string;
  /** What is wrong with it (the message without the file name). */
  readonly reason: string;

  /**
   * @param path - the checkpoint file
   * @param reason - what is wrong with it
   * @param options - the underlying error, if any, as `cause`
   */
  constructor(path: string, reason: string, options?: ErrorOptions) {
    super(`checkpoint ${path}: ${reason}`, options);
    this.path = path;
    this.reason = reason;
  }
}

/** Format 1: magic, header length; no checksum. Read only. */
const MAGIC_V1 = 'BRGCKPT1';
/** Format 2: magic, header length, SHA-256. Written by {@link writeCheckpoint}. */
const MAGIC_V2 = 'BRGCKPT2';
const MAGIC_BYTES = 8;
const LENGTH_BYTES = 4;
const DIGEST_BYTES = 32;
/** Where the JSON header starts in each format. */
const V1_PREFIX = MAGIC_BYTES + LENGTH_BYTES;
const V2_PREFIX = MAGIC_BYTES + LENGTH_BYTES + DIGEST_BYTES;
const DTYPES: ReadonlySet<string> = new Set(['float32', 'int32']);
/** Every supported dtype has 4-byte elements. */
const ELEMENT_BYTES = 4;

interface HeaderEntry {
  name: string;
  shape: number[];
  dtype: StoredTensor['dtype'];
  /** Byte offset of the values from the start of the body. */
  offset: number;
  /** Number of elements. */
  length: number;
}

interface Header<State> {
  state: State;
  tensors: HeaderEntry[];
}

/** The SHA-256 that format 2 records: over every byte of the file except the digest field. */
function digestOf(parts: readonly Uint8Array[]): Buffer {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/**
 * Writes a checkpoint atomically (temp file + rename) in format 2, little-endian:
 *
 * | bytes | content |
 * |---|---|
 * | 0–7 | magic `BRGCKPT2` (ASCII) |
 * | 8–11 | `H`, the JSON header's length in bytes (uint32) |
 * | 12–43 | SHA-256 of bytes 0–11 followed by bytes 44 to the end of the file (everything but this field) |
 * | 44 … 44+H−1 | JSON header (UTF-8): `{"state": …, "tensors": [{name, shape, dtype, offset, length}, …]}` |
 * | 44+H … end | the body: each tensor's raw values (4 bytes each) at byte `offset` of the body, in order, without gaps; the file ends with the last tensor |
 *
 * The digest covers the magic, the header length, the header and the tensor bytes, so
 * that {@link readCheckpoint} notices any changed, missing or added byte.
 *
 * @throws Error when a tensor is inconsistent (values of another type than its dtype, a
 * shape whose product is not its number of values, a repeated name): such a file could
 * not be read back. Errors of the write itself come from {@link writeFileAtomic}.
 */
export function writeCheckpoint<State>(path: string, checkpoint: Checkpoint<State>): void {
  const names = new Set<string>();
  for (const { name, shape, dtype, values } of checkpoint.tensors) {
    const bad = (why: string) => new Error(`writeCheckpoint ${path}: tensor '${name}' ${why}`);
    if (names.has(name)) throw bad('appears twice (names must be unique)');
    names.add(name);
    const type = dtype === 'int32' ? Int32Array : dtype === 'float32' ? Float32Array : undefined;
    if (!type) throw bad(`has dtype '${dtype}' (allowed: float32, int32)`);
    if (!(values instanceof type)) throw bad(`is ${dtype} but its values are not a ${type.name}`);
    if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw bad(`has shape [${shape}] (dimensions must be non-negative integers)`);
    }
    const size = shape.reduce((a, b) => a * b, 1);
    if (size !== values.length) {
      throw bad(`has shape [${shape}] (${size} values) but ${values.length} values`);
    }
  }
  let offset = 0;
  const header: Header<State> = {
    state: checkpoint.state,
    tensors: checkpoint.tensors.map(({ name, shape, dtype, values }) => {
      const entry = { name, shape, dtype, offset, length: values.length };
      offset += values.byteLength;
      return entry;
    }),
  };
  const json = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(V2_PREFIX);
  prefix.write(MAGIC_V2, 0, 'latin1');
  prefix.writeUInt32LE(json.length, MAGIC_BYTES);
  const bodies = checkpoint.tensors.map(
    ({ values }) => new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
  );
  digestOf([prefix.subarray(0, V1_PREFIX), json, ...bodies]).copy(prefix, V1_PREFIX);
  writeFileAtomic(path, [prefix, json, ...bodies]);
}

/**
 * Reads a checkpoint written by {@link writeCheckpoint}; `undefined` when the file is absent.
 *
 * Format 2 (`BRGCKPT2`) files are verified: the header must describe the body exactly
 * (unique names, dtype `float32` or `int32`, shapes of non-negative integers whose product
 * is the tensor's `length`, tensors laid out in order without gaps and ending where the file
 * ends) and the SHA-256 over the file must match the recorded one. Sizes claimed by the
 * file are checked against its actual size before anything is sliced or allocated.
 *
 * Format 1 (`BRGCKPT1`: magic, header length, header, body; no checksum) is what earlier
 * versions wrote, e.g. the first-conv snapshots, denoised samples and kept models committed
 * under `docs/results`. Such files are still read, with the same structural checks but
 * **without integrity verification**: changed tensor bytes go unnoticed.
 *
 * @throws CorruptCheckpointError when the file is not a checkpoint or fails a check above.
 * I/O errors (permissions, a directory at `path`) are thrown as they are.
 */
export function readCheckpoint<State>(path: string): Checkpoint<State> | undefined {
  if (!existsSync(path)) return undefined;
  const bytes = readFileSync(path);
  const bad = (why: string, cause?: unknown) =>
    new CorruptCheckpointError(path, why, cause === undefined ? undefined : { cause });
  const magic = bytes.length >= MAGIC_BYTES ? bytes.toString('latin1', 0, MAGIC_BYTES) : '';
  const prefixLength = magic === MAGIC_V2 ? V2_PREFIX : magic === MAGIC_V1 ? V1_PREFIX : 0;
  if (prefixLength === 0) {
    throw bad(`not a checkpoint (no ${MAGIC_V2} or ${MAGIC_V1} header)`);
  }
  if (bytes.length < prefixLength) {
    throw bad(`truncated header (${bytes.length} bytes, the fixed part alone has ${prefixLength})`);
  }
  const headerLength = bytes.readUInt32LE(MAGIC_BYTES);
  const bodyStart = prefixLength + headerLength;
  if (bodyStart > bytes.length) {
    throw bad(
      `truncated header (it claims ${headerLength} bytes, the file has ${bytes.length - prefixLength} after the fixed part)`,
    );
  }
  const header = parseHeader<State>(bytes.subarray(prefixLength, bodyStart), bad);
  const bodyLength = bytes.length - bodyStart;
  let end = 0;
  for (const { name, offset, length } of header.tensors) {
    if (offset !== end) {
      throw bad(
        `${tensorLabel(name)} starts at body byte ${offset}, the previous one ends at ${end}`,
      );
    }
    end = offset + length * ELEMENT_BYTES;
    if (end > bodyLength) {
      throw bad(
        `truncated at ${tensorLabel(name)} (it needs body bytes ${offset}–${end}, the body has ${bodyLength})`,
      );
    }
  }
  if (end !== bodyLength) {
    throw bad(`${bodyLength - end} unexpected bytes after the last tensor`);
  }
  if (prefixLength === V2_PREFIX) {
    const recorded = bytes.subarray(V1_PREFIX, V2_PREFIX);
    const actual = digestOf([bytes.subarray(0, V1_PREFIX), bytes.subarray(V2_PREFIX)]);
    if (!actual.equals(recorded)) {
      throw bad(
        `checksum mismatch (SHA-256 ${actual.toString('hex', 0, 8)}…, recorded ${recorded.toString('hex', 0, 8)}…): ` +
          'the file was changed or damaged after it was written',
      );
    }
  }
  const tensors = header.tensors.map(({ name, shape, dtype, offset, length }) => {
    const start = bodyStart + offset;
    // copy: the values must be 4-byte aligned, the file's bytes need not be
    const raw = new Uint8Array(length * ELEMENT_BYTES);
    raw.set(bytes.subarray(start, start + raw.length));
    const values = dtype === 'int32' ? new Int32Array(raw.buffer) : new Float32Array(raw.buffer);
    return { name, shape, dtype, values };
  });
  return { state: header.state, tensors };
}

/** Parses and checks the JSON header (everything but the offsets against the body). */
function parseHeader<State>(
  bytes: Uint8Array,
  bad: (why: string, cause?: unknown) => CorruptCheckpointError,
): Header<State> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw bad(`garbled header (${error instanceof Error ? error.message : String(error)})`, error);
  }
  if (!isObject(parsed) || !Array.isArray(parsed.tensors)) {
    throw bad('garbled header (not an object with a tensor list)');
  }
  const names = new Set<string>();
  const tensors = parsed.tensors.map((entry: unknown, i: number): HeaderEntry => {
    if (!isObject(entry)) throw bad(`tensor #${i} of the header is not an object`);
    const { name, shape, dtype, offset, length } = entry;
    if (typeof name !== 'string') throw bad(`tensor #${i} has no name`);
    const which = tensorLabel(name);
    if (names.has(name)) throw bad(`${which} appears twice`);
    names.add(name);
    if (typeof dtype !== 'string' || !DTYPES.has(dtype)) {
      throw bad(`${which} has dtype ${show(dtype)} (allowed: float32, int32)`);
    }
    if (!isCount(length)) throw bad(`${which} has length ${show(length)}`);
    if (!isCount(offset)) throw bad(`${which} has offset ${show(offset)}`);
    if (!Array.isArray(shape) || !shape.every(isCount)) {
      throw bad(`${which} has shape ${show(shape)} (not a list of non-negative integers)`);
    }
    const size = shapeSize(shape);
    if (size !== length) {
      const values = Number.isSafeInteger(size) ? String(size) : 'more than 2^53';
      throw bad(`${which} has shape ${show(shape)} (${values} values) but length ${length}`);
    }
    return { name, shape, dtype: dtype as HeaderEntry['dtype'], offset, length };
  });
  return { state: parsed.state as State, tensors };
}

/**
 * The product of `shape`: exact while it is a safe integer; once it exceeds 2^53 the
 * multiplication stops and the result is only known to be larger than any valid length.
 */
function shapeSize(shape: readonly number[]): number {
  if (shape.includes(0)) return 0;
  let size = 1;
  for (const d of shape) {
    size *= d;
    if (size > Number.MAX_SAFE_INTEGER) return size;
  }
  return size;
}

/** `tensor 'name'` for a message, the name cut short. */
function tensorLabel(name: string): string {
  return `tensor '${name.length > 60 ? `${name.slice(0, 57)}…` : name}'`;
}

/** A header value for a message, cut short: a corrupt header can hold anything. */
function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
