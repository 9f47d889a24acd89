import { DataFileError } from './data-file-error.js';
import { type FileContent, readFileContent } from './read-bytes.js';

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
  // exact: up to 255 dimensions of up to 2^32 − 1 each, far beyond Number's 2^53 (and its
  // Infinity, whose product with a 0 dimension would be NaN); nothing is allocated, the data
  // is a view over `bytes`, and only once its size matches the header
  const size = dims.reduce((a, b) => a * BigInt(b), 1n);
  const actual = bytes.length - headerSize;
  if (BigInt(actual) < size) {
    throw new DataFileError(
      file,
      `truncated: the header promises ${formatDims(dims)} = ${formatBig(size)} bytes of data, the file has ${actual}`,
    );
  }
  if (BigInt(actual) > size) {
    throw new DataFileError(
      file,
      `${actual - Number(size)} trailing bytes after the ${formatDims(dims)} = ${size} bytes the header promises`,
    );
  }
  // a plain Uint8Array view (not a Node Buffer) over the data
  return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + headerSize, actual) };
}

/**
 * Reads and parses an IDX file, plain or gzip-compressed (a gzip stream that inflates to more
 * than {@link MAX_GZIP_INFLATED_BYTES} is refused). See {@link parseIdx}.
 */
export async function readIdx(file: string, expectedDims?: number): Promise<IdxArray> {
  return (await readIdxFile(file, expectedDims)).idx;
}

/** {@link readIdx}, also returning the file as read (for its size and hash). */
export async function readIdxFile(
  file: string,
  expectedDims?: number,
  maxInflatedBytes?: number,
): Promise<{ idx: IdxArray; content: FileContent }> {
  const content = await readFileContent(file, maxInflatedBytes);
  return { idx: parseIdx(content.data, file, expectedDims), content };
}

/** `a × b × c`, or the first and last few of many dimensions. */
function formatDims(dims: number[]): string {
  if (dims.length <= 8) return dims.join(' × ');
  return `${dims.slice(0, 4).join(' × ')} × … × ${dims.slice(-2).join(' × ')} (${dims.length} dimensions)`;
}

/** A non-negative integer, exact up to 30 digits, else in scientific notation. */
function formatBig(n: bigint): string {
  const digits = n.toString();
  if (digits.length <= 30) return digits;
  return `${digits[0]}.${digits.slice(1, 4)}e+${digits.length - 1}`;
}
