import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll } from 'vitest';

const created: string[] = [];
// registered when a test file imports this helper: runs after all of that file's tests
afterAll(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed after the test file's tests. */
export function tempDir(prefix = 'bregman-datasets-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** The bytes of an unsigned-byte IDX file with these dimensions and data. */
export function encodeIdx(dims: number[], data: ArrayLike<number>): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  view.setUint32(0, 0x0800 + dims.length);
  dims.forEach((d, k) => {
    view.setUint32(4 + 4 * k, d);
  });
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(Uint8Array.from(data), header.length);
  return out;
}

/** Writes `bytes` to `dir/name` (gzip-compressed when `gzip`) and returns the path. */
export function writeBytes(dir: string, name: string, bytes: Uint8Array, gzip = false): string {
  const file = join(dir, name);
  writeFileSync(file, gzip ? gzipSync(bytes) : bytes);
  return file;
}

/** A synthetic small MNIST-like set: `count` images of `rows × cols`, known pixel values. */
export function syntheticImages(count: number, rows: number, cols: number, salt = 0) {
  const images = new Uint8Array(count * rows * cols);
  for (let i = 0; i < images.length; i++) images[i] = (i * 31 + salt * 17 + (i >> 3)) % 256;
  const labels = new Uint8Array(count);
  for (let n = 0; n < count; n++) labels[n] = (n * 7 + salt) % 10;
  return { images, labels };
}

/** Writes the four official IDX files of an MNIST-like set to `dir`. */
export function writeIdxSet(
  dir: string,
  { trainCount = 12, testCount = 5, rows = 4, cols = 3, gzip = false } = {},
) {
  const train = syntheticImages(trainCount, rows, cols, 1);
  const test = syntheticImages(testCount, rows, cols, 2);
  const ext = gzip ? '.gz' : '';
  for (const [prefix, set, count] of [
    ['train', train, trainCount],
    ['t10k', test, testCount],
  ] as const) {
    const images = encodeIdx([count, rows, cols], set.images);
    writeBytes(dir, `${prefix}-images-idx3-ubyte${ext}`, images, gzip);
    writeBytes(dir, `${prefix}-labels-idx1-ubyte${ext}`, encodeIdx([count], set.labels), gzip);
  }
  return { train, test };
}

/**
 * The pixel value the synthetic CIFAR files hold for image `n`, row `r`, column `c`,
 * channel `ch` (0 red, 1 green, 2 blue): distinct enough to catch any layout mix-up.
 */
export function cifarPixel(n: number, r: number, c: number, ch: number): number {
  return (n * 37 + r * 11 + c * 5 + ch * 101) % 256;
}

/**
 * The bytes of a CIFAR-10 binary batch in the official layout (label byte, then the red,
 * green and blue 32 × 32 planes), written from {@link cifarPixel} for images `first…`.
 */
export function encodeCifarBatch(labels: number[], first = 0): Uint8Array {
  const record = 1 + 3 * 1024;
  const out = new Uint8Array(labels.length * record);
  labels.forEach((label, k) => {
    const base = k * record;
    out[base] = label;
    for (let ch = 0; ch < 3; ch++) {
      for (let r = 0; r < 32; r++) {
        for (let c = 0; c < 32; c++) {
          out[base + 1 + ch * 1024 + r * 32 + c] = cifarPixel(first + k, r, c, ch);
        }
      }
    }
  });
  return out;
}
