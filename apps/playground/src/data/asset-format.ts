// The page's MNIST file: a 24-byte header, then the training images, the training labels, the
// validation images and the validation labels, all bytes (pixels 0–255, labels 0–9).

/** The asset's path relative to the page (written at build time by plugins/mnist-asset.ts). */
export const MNIST_ASSET_PATH = 'data/mnist-subset.bin';

/** The first four bytes of the asset. */
export const MNIST_ASSET_MAGIC = 'BRMN';

/** The format version this page reads. */
export const MNIST_ASSET_VERSION = 1;

const HEADER_BYTES = 24;

/** Images and labels as bytes, image after image, row-major. */
export interface ImageBytes {
  /** `count · height · width` pixels. */
  images: Uint8Array;
  /** One class index per image. */
  labels: Uint8Array;
}

/** What the page trains and validates on. */
export interface MnistAsset {
  /** Image height in pixels (28). */
  height: number;
  /** Image width in pixels (28). */
  width: number;
  /** The training images. */
  train: ImageBytes;
  /** The validation images. */
  validation: ImageBytes;
}

function count(name: string, part: ImageBytes, pixels: number): number {
  const n = part.labels.length;
  if (part.images.length !== n * pixels) {
    throw new RangeError(
      `${name}.images has ${part.images.length} bytes, expected ${n} labels × ${pixels} pixels`,
    );
  }
  return n;
}

/** The asset's bytes (used at build time). */
export function encodeMnistAsset(asset: MnistAsset): Uint8Array {
  const { height, width, train, validation } = asset;
  for (const [name, value] of [
    ['height', height],
    ['width', width],
  ] as const) {
    if (!Number.isInteger(value) || value < 1 || value > 0xffff) {
      throw new RangeError(`${name} must be an integer in [1, 65535], got ${value}`);
    }
  }
  const pixels = height * width;
  const nTrain = count('train', train, pixels);
  const nValidation = count('validation', validation, pixels);
  const out = new Uint8Array(HEADER_BYTES + (nTrain + nValidation) * (pixels + 1));
  const view = new DataView(out.buffer);
  for (let i = 0; i < 4; i++) out[i] = MNIST_ASSET_MAGIC.charCodeAt(i);
  view.setUint32(4, MNIST_ASSET_VERSION, true);
  view.setUint32(8, height, true);
  view.setUint32(12, width, true);
  view.setUint32(16, nTrain, true);
  view.setUint32(20, nValidation, true);
  let at = HEADER_BYTES;
  for (const bytes of [train.images, train.labels, validation.images, validation.labels]) {
    out.set(bytes, at);
    at += bytes.length;
  }
  return out;
}

/**
 * Reads the asset's bytes. Throws an error that says what is wrong (not the asset — e.g. an
 * HTML error page —, another version, cut short) rather than return wrong data.
 */
export function decodeMnistAsset(bytes: Uint8Array): MnistAsset {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`bytes must be a Uint8Array, got ${String(bytes)}`);
  }
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (bytes.length < HEADER_BYTES || magic !== MNIST_ASSET_MAGIC) {
    throw new Error(
      `not the playground's MNIST file (${bytes.length} bytes, starting ${JSON.stringify(magic)}, expected '${MNIST_ASSET_MAGIC}')`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== MNIST_ASSET_VERSION) {
    throw new Error(`MNIST file version ${version}, this page reads ${MNIST_ASSET_VERSION}`);
  }
  const height = view.getUint32(8, true);
  const width = view.getUint32(12, true);
  const nTrain = view.getUint32(16, true);
  const nValidation = view.getUint32(20, true);
  const pixels = height * width;
  const expected = HEADER_BYTES + (nTrain + nValidation) * (pixels + 1);
  if (bytes.length !== expected) {
    throw new Error(
      `MNIST file has ${bytes.length} bytes, its header (${nTrain} + ${nValidation} images of ${height} × ${width}) says ${expected}`,
    );
  }
  let at = HEADER_BYTES;
  const take = (n: number) => {
    const part = bytes.subarray(at, at + n);
    at += n;
    return part;
  };
  const train = { images: take(nTrain * pixels), labels: take(nTrain) };
  const validation = { images: take(nValidation * pixels), labels: take(nValidation) };
  for (const [name, labels] of [
    ['train', train.labels],
    ['validation', validation.labels],
  ] as const) {
    const bad = labels.findIndex((l) => l > 9);
    if (bad >= 0) throw new Error(`MNIST file: ${name} label ${labels[bad]} at ${bad} is not 0–9`);
  }
  return { height, width, train, validation };
}
