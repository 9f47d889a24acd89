import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readReference } from './reference.js';

describe('readReference', () => {
  it('names the file relative to the repository (the committed report shows no machine path)', () => {
    const reference = readReference({});
    expect(reference.source).toBe(join('..', 'shared', 'reference', 'paper-results.json'));
    expect(reference.data).toHaveProperty('table1_fashion_mnist_l1');
  });

  it('a missing file is said, relative too; a garbled one is an error naming it', () => {
    const shared = mkdtempSync(join(tmpdir(), 'shared-'));
    expect(readReference({ BREGMAN_SHARED_DIR: shared }).source).toMatch(
      /^not found \(\.\.\/.*paper-results\.json\)/,
    );
    mkdirSync(join(shared, 'reference'));
    writeFileSync(join(shared, 'reference', 'paper-results.json'), '{"table1": ');
    expect(() => readReference({ BREGMAN_SHARED_DIR: shared })).toThrow(
      `${join(shared, 'reference', 'paper-results.json')}: not valid JSON`,
    );
  });
});
