import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CIFAR10_FILE_NAMES } from '@bregman/datasets';
import { writeFileAtomic } from '../storage/atomic-write.js';

/** Records per training batch file of the synthetic set (the test file has as many). */
export const SYNTHETIC_CIFAR10_PER_FILE = 64;

/**
 * Writes (once) a small CIFAR-10 look-alike in the official binary format — five training
 * files and a test file of {@link SYNTHETIC_CIFAR10_PER_FILE} records, each a label byte and
 * 3,072 pixel bytes (R, G, B planes) — and returns its directory. Each class has its own
 * mean colour plus seeded noise, so there is something to learn. For the smoke profile only:
 * it exercises the CIFAR pipeline without the real data.
 */
export function syntheticCifar10Dir(): string {
  const dir = join(tmpdir(), `bregman-synthetic-cifar10-v1-${SYNTHETIC_CIFAR10_PER_FILE}`);
  const files = [...CIFAR10_FILE_NAMES.train, CIFAR10_FILE_NAMES.test];
  if (files.every((f) => existsSync(join(dir, f)))) return dir;
  let state = 0x9e3779b9;
  const random = () => {
    // xorshift32: deterministic bytes, the same set on every machine
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
  for (const file of files) {
    const bytes = new Uint8Array(SYNTHETIC_CIFAR10_PER_FILE * 3073);
    for (let r = 0; r < SYNTHETIC_CIFAR10_PER_FILE; r++) {
      const label = r % 10;
      const base = r * 3073;
      bytes[base] = label;
      for (let c = 0; c < 3; c++) {
        const mean = 40 + 20 * ((label + c * 3) % 10);
        for (let p = 0; p < 1024; p++) {
          bytes[base + 1 + c * 1024 + p] = Math.max(
            0,
            Math.min(255, Math.round(mean + 60 * (random() - 0.5))),
          );
        }
      }
    }
    writeFileAtomic(join(dir, file), bytes);
  }
  return dir;
}
