import type * as tf from '@tensorflow/tfjs-core';
import { concatBytes, weightBytes } from './weight-bytes.js';

/** The name and version of the sparse weights encoding, as `model.json` records it. */
export const SPARSE_WEIGHTS_FORMAT = 'bregman-sparse-weights/1';

/** How one weight is stored in a sparse weights file (see {@link encodeSparseWeights}). */
export interface SparseWeightsEntry {
  /** The weight's name, as in the manifest. */
  name: string;
  /** `'dense'`: its bytes as tfjs stores them; `'sparse'`: non-zero values and index gaps. */
  encoding: 'dense' | 'sparse';
  /** Non-zero entries (sparse encoding only). */
  nonZeros?: number;
  /** Bytes it takes in the file, padding to a multiple of 4 included. */
  byteLength: number;
}

/** What {@link encodeSparseWeights} returns. */
export interface EncodedSparseWeights {
  /** How each weight of the manifest is stored, in manifest order (for `model.json`). */
  entries: SparseWeightsEntry[];
  /** The weights file's bytes. */
  bytes: Uint8Array;
}

/**
 * A float32 weight is stored sparsely when that takes fewer bytes: its `n` non-zero values
 * (4 bytes each) and the gaps between their indices (LEB128 varints, mostly 1 byte each at
 * the densities Bregman training reaches) against 4 bytes per entry.
 */
const VARINT_BYTES_GUESS = 1.5;

/**
 * Encodes the weights of a model (`specs` and their concatenated bytes, as tfjs hands them
 * to an IOHandler) with each float32 weight that has enough zeros stored as its non-zero
 * values (float32, little-endian) followed by the gaps between their flat indices (unsigned
 * LEB128: the first index, then each index minus the previous one minus 1), padded to a
 * multiple of 4 bytes; other weights are kept as they are. {@link decodeSparseWeights}
 * inverts it: the non-zero values bit for bit, every zero as +0 (a −0 comes back as +0).
 */
export function encodeSparseWeights(
  specs: readonly tf.io.WeightsManifestEntry[],
  data: Uint8Array,
): EncodedSparseWeights {
  const chunks: Uint8Array[] = [];
  const entries: SparseWeightsEntry[] = [];
  let offset = 0;
  for (const spec of specs) {
    const byteLength = bytesOf(spec);
    const raw = data.subarray(offset, offset + byteLength);
    offset += byteLength;
    const sparse = spec.dtype === 'float32' && !spec.quantization ? encodeFloat32(raw) : null;
    if (sparse && sparse.bytes.length < raw.length) {
      chunks.push(sparse.bytes);
      entries.push({
        name: spec.name,
        encoding: 'sparse',
        nonZeros: sparse.nonZeros,
        byteLength: sparse.bytes.length,
      });
    } else {
      const padded = padTo4(raw);
      chunks.push(padded);
      entries.push({ name: spec.name, encoding: 'dense', byteLength: padded.length });
    }
  }
  if (offset !== data.length) {
    throw new Error(
      `encodeSparseWeights: the manifest describes ${offset} bytes of weights but there are ${data.length}`,
    );
  }
  return { entries, bytes: concatBytes(chunks) };
}

/**
 * The weights' bytes as tfjs expects them (concatenated in manifest order) from a file
 * written by {@link encodeSparseWeights}; an entry list that does not fit the manifest or
 * the bytes is an error that says what differs.
 */
export function decodeSparseWeights(
  specs: readonly tf.io.WeightsManifestEntry[],
  entries: readonly SparseWeightsEntry[],
  bytes: Uint8Array,
): Uint8Array {
  if (!Array.isArray(entries) || entries.length !== specs.length) {
    throw new Error(
      `the sparse weights list ${Array.isArray(entries) ? entries.length : 'no'} entries but the manifest ${specs.length} weights`,
    );
  }
  const out = new Uint8Array(specs.reduce((n, s) => n + bytesOf(s), 0));
  let from = 0;
  let to = 0;
  specs.forEach((spec, i) => {
    const entry = entries[i]!;
    const size = bytesOf(spec);
    if (entry.name !== spec.name || from + entry.byteLength > bytes.length) {
      throw new Error(
        `the sparse weights entry ${i} ('${entry.name}', ${entry.byteLength} bytes) does not fit the manifest's '${spec.name}' or the file's ${bytes.length} bytes`,
      );
    }
    const chunk = bytes.subarray(from, from + entry.byteLength);
    if (entry.encoding === 'sparse') {
      decodeFloat32(chunk, entry.nonZeros ?? -1, out.subarray(to, to + size), spec.name);
    } else if (entry.encoding === 'dense') {
      out.set(chunk.subarray(0, size), to);
    } else {
      throw new Error(
        `the sparse weights entry '${entry.name}' has the unknown encoding '${String(entry.encoding)}'`,
      );
    }
    from += entry.byteLength;
    to += size;
  });
  if (from !== bytes.length) {
    throw new Error(
      `the sparse weights file has ${bytes.length} bytes but its entries describe ${from}`,
    );
  }
  return out;
}

function encodeFloat32(raw: Uint8Array): { bytes: Uint8Array; nonZeros: number } | null {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const size = raw.length / 4;
  const indices: number[] = [];
  for (let i = 0; i < size; i++) {
    // both zeros are dropped (−0 comes from masking and from the prox of negative weights);
    // NaN payloads and every other bit pattern survive
    if ((view.getUint32(4 * i, true) & 0x7fffffff) !== 0) indices.push(i);
  }
  if (indices.length * (4 + VARINT_BYTES_GUESS) >= raw.length) return null;
  const gaps: number[] = [];
  let previous = -1;
  for (const index of indices) {
    writeVarint(gaps, index - previous - 1);
    previous = index;
  }
  const bytes = new Uint8Array(roundUp4(indices.length * 4 + gaps.length));
  const out = new DataView(bytes.buffer);
  for (const [k, index] of indices.entries()) {
    out.setUint32(4 * k, view.getUint32(4 * index, true), true);
  }
  bytes.set(gaps, indices.length * 4);
  return { bytes, nonZeros: indices.length };
}

function decodeFloat32(chunk: Uint8Array, nonZeros: number, out: Uint8Array, name: string): void {
  const size = out.length / 4;
  if (
    !Number.isInteger(nonZeros) ||
    nonZeros < 0 ||
    nonZeros > size ||
    4 * nonZeros > chunk.length
  ) {
    throw new Error(
      `the sparse weight '${name}' has a bad non-zero count ${nonZeros} for ${size} entries`,
    );
  }
  const values = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  const target = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let at = 4 * nonZeros;
  let index = -1;
  for (let k = 0; k < nonZeros; k++) {
    let gap = 0;
    let shift = 0;
    for (;;) {
      if (at >= chunk.length || shift > 28) {
        throw new Error(`the sparse weight '${name}' has damaged index gaps`);
      }
      const byte = chunk[at++]!;
      gap += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if (byte < 0x80) break;
    }
    index += gap + 1;
    if (index >= size)
      throw new Error(`the sparse weight '${name}' has an index past its ${size} entries`);
    target.setUint32(4 * index, values.getUint32(4 * k, true), true);
  }
}

function writeVarint(out: number[], value: number): void {
  let v = value;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

function bytesOf(spec: tf.io.WeightsManifestEntry): number {
  const bytes = weightBytes(spec);
  if (bytes === undefined) {
    throw new Error(
      `sparse weights: the weight '${spec.name}' has dtype ${spec.dtype}, which has no fixed size`,
    );
  }
  return bytes;
}

function roundUp4(n: number): number {
  return Math.ceil(n / 4) * 4;
}

function padTo4(raw: Uint8Array): Uint8Array {
  if (raw.length % 4 === 0) return raw;
  const padded = new Uint8Array(roundUp4(raw.length));
  padded.set(raw);
  return padded;
}
