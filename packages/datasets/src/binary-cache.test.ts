import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allocateCache, commitCache, readCache } from './binary-cache.js';
import { tempDir } from './files.test-helper.js';

function filled(key: string, size: number) {
  const cache = allocateCache(key, size);
  for (let i = 0; i < size; i++) cache.payload[i] = (i * 13) % 256;
  cache.seal();
  return cache;
}

describe('binary cache', () => {
  it('round-trips a payload and leaves no temporary file behind', async () => {
    const dir = join(tempDir(), 'nested', 'cache');
    const file = join(dir, 'c.bin');
    const cache = filled('demo@1', 1000);
    await commitCache(file, cache);
    expect(readdirSync(dir)).toEqual(['c.bin']);
    const read = await readCache(file, 'demo@1', 1000);
    expect(read.ok).toBe(true);
    if (read.ok) expect(Array.from(read.payload)).toEqual(Array.from(cache.payload));
  });

  it('reports, without throwing, every way a cache can be unusable', async () => {
    const dir = tempDir();
    const file = join(dir, 'c.bin');
    await commitCache(file, filled('demo@1', 1000));
    const good = readFileSync(file);
    const variant = async (bytes: Uint8Array, key = 'demo@1', size = 1000) => {
      writeFileSync(file, bytes);
      const read = await readCache(file, key, size);
      expect(read.ok).toBe(false);
      return read.ok ? '' : read.reason;
    };
    expect(await readCache(join(dir, 'none.bin'), 'demo@1', 1000)).toMatchObject({
      ok: false,
      missing: true,
    });
    expect(await variant(good, 'demo@2')).toBe('made from demo@1, not demo@2');
    expect(await variant(good, 'demo@1', 999)).toBe('payload of 1000 bytes, expected 999');
    expect(await variant(good.subarray(0, good.length - 1))).toMatch(/truncated or padded/);
    expect(await variant(good.subarray(0, 6))).toBe('truncated header');
    const flipped = Uint8Array.from(good);
    flipped[flipped.length - 500]! ^= 1;
    expect(await variant(flipped)).toBe('checksum mismatch (corrupt)');
    const magic = Uint8Array.from(good);
    magic[0] = 0;
    expect(await variant(magic)).toMatch(/bad magic/);
  });

  it('names the directory and the way out when it cannot write', async () => {
    const dir = tempDir();
    const blocker = join(dir, 'file');
    writeFileSync(blocker, 'not a directory');
    await expect(commitCache(join(blocker, 'c.bin'), filled('k', 10))).rejects.toThrow(
      /cannot write the cache file .*pass cacheDir: a writable directory, or cacheDir: false/,
    );
  });
});
