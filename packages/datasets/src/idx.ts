import { DataFileError } from './data-file-error.js';
import { readMaybeGzipped } from './read-bytes.js';

/** Magic number of an IDX label file: unsigned bytes, 1 dimension. */
export const IDX_LABELS_MAGIC = 0x00000801;
/** Magic number of an IDX image file: unsigned bytes, 3 dimensions. */
export const IDX_IMAGES_MAGIC = 0x00000803;

/** An IDX array of unsigned bytes: its dimensions and its row-major data. */
export interface IdxArray {
  /** The dimensions from the header, e.g. `[60000, 28, 28]` for MNIST training images. */
  dims: number[];
  /** The values, `dims` multiplied together, row-major. */
  data: Uint8Array;
}

const TYPE_NAMES: Record<number, string> = {
  8: 'unsigned byte',
  9: 'signed byte',
  11: 'int16',
  12: 'int32',
  13: 'float32',
  14: 'float64',
};

/**
 * Parses the bytes of an IDX file (the format of the MNIST and Fashion-MNIST files:
 * a big-endian header `00 00 type ndims`, one uint32 per dimension, then the data).
 * Only unsigned-byte data is read. With `expectedDims` set, the number of dimensions must
 * match (1 for labels, 3 for images). `file` names the source in errors, which cover a bad
 * magic number, an unsupported type, a truncated file and trailing bytes.
 */
export function parseIdx(bytes: Uint8Array, file: string, expectedDims?: number): IdxArray {
  if (bytes.length < 4) {
    throw new DataFileError(file, `truncated: ${bytes.length} bytes, an IDX header needs 4`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const type = bytes[2]!;
  const ndims = bytes[3]!;
  const hex = `0x${magic.toString(16).padStart(8, '0')}`;
  if (bytes[0] !== 0 || bytes[1] !== 0 || TYPE_NAMES[type] === undefined || ndims === 0) {
    throw new DataFileError(file, `bad magic number ${hex}: not an IDX file`);
  }
  if (type !== 0x08) {
    throw new DataFileError(
      file,
      `magic number ${hex}: IDX data of type ${TYPE_NAMES[type]} is not supported (only unsigned byte, 0x08)`,
    );
  }
  if (expectedDims !== undefined && ndims !== expectedDims) {
    const want = 0x800 + expectedDims;
    throw new DataFileError(
      file,
      `bad magic number ${hex}: expected 0x${want.toString(16).padStart(8, '0')} (${expectedDims === 1 ? 'labels' : expectedDims === 3 ? 'images' : `${expectedDims} dimensions`})`,
    );
  }
  const headerSize = 4 + 4 * ndims;
  if (bytes.length < headerSize) {
    throw new DataFileError(
      file,
      `truncated: ${bytes.length} bytes, the header of a ${ndims}-dimensional IDX file needs ${headerSize}`,
    );
  }
  const dims: number[] = [];
  for (let d = 0; d < ndims; d++) dims.push(view.getUint32(4 + 4 * d));
  const size = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.length - headerSize;
  if (actual < size) {
    throw new DataFileError(
      file,
      `truncated: the header promises ${dims.join(' × ')} = ${size} bytes of data, the file has ${actual}`,
    );
  }
  if (actual > size) {
    throw new DataFileError(
      file,
      `${actual - size} trailing bytes after the ${dims.join(' × ')} = ${size} bytes the header promises`,
    );
  }
  // a plain Uint8Array view (not a Node Buffer) over the data
  return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + headerSize, size) };
}

/** Reads and parses an IDX file, plain or gzip-compressed. See {@link parseIdx}. */
export async function readIdx(file: string, expectedDims?: number): Promise<IdxArray> {
  return parseIdx(await readMaybeGzipped(file), file, expectedDims);
}
