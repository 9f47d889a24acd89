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

const MAGIC = 'BRGCKPT1';

interface Header<State> {
  state: State;
  tensors: Array<Omit<StoredTensor, 'values'> & { offset: number; length: number }>;
}

/**
 * Writes a checkpoint atomically (temp file + rename): `BRGCKPT1`, the header length
 * (uint32 LE), a JSON header, then the raw little-endian values of every tensor.
 */
export function writeCheckpoint<State>(path: string, checkpoint: Checkpoint<State>): void {
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
  const prefix = Buffer.alloc(MAGIC.length + 4);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(json.length, MAGIC.length);
  const bodies = checkpoint.tensors.map(
    ({ values }) => new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
  );
  writeFileAtomic(path, [prefix, json, ...bodies]);
}

/** Reads a checkpoint written by {@link writeCheckpoint}; `undefined` when the file is absent. */
export function readCheckpoint<State>(path: string): Checkpoint<State> | undefined {
  if (!existsSync(path)) return undefined;
  const bytes = readFileSync(path);
  const bad = (why: string) => new Error(`checkpoint ${path}: ${why}`);
  if (bytes.length < MAGIC.length + 4 || bytes.toString('latin1', 0, MAGIC.length) !== MAGIC) {
    throw bad(`not a checkpoint (no ${MAGIC} header)`);
  }
  const headerLength = bytes.readUInt32LE(MAGIC.length);
  const bodyStart = MAGIC.length + 4 + headerLength;
  if (bodyStart > bytes.length) throw bad('truncated header');
  const header = JSON.parse(bytes.toString('utf8', MAGIC.length + 4, bodyStart)) as Header<State>;
  const tensors = header.tensors.map(({ name, shape, dtype, offset, length }) => {
    const start = bodyStart + offset;
    if (start + length * 4 > bytes.length) throw bad(`truncated at tensor '${name}'`);
    // copy: the values must be 4-byte aligned, the file's bytes need not be
    const raw = bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + start + length * 4);
    const values = dtype === 'int32' ? new Int32Array(raw) : new Float32Array(raw);
    return { name, shape, dtype, values };
  });
  return { state: header.state, tensors };
}
