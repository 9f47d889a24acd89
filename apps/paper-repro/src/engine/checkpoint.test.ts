import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCheckpoint, writeCheckpoint } from './checkpoint.js';

describe('checkpoints', () => {
  const checkpoint = {
    state: { epoch: 3, learningRate: 0.05, plateau: { best: null, badEpochs: 2 } },
    tensors: [
      {
        name: 'model/0',
        shape: [2, 3],
        dtype: 'float32' as const,
        values: new Float32Array([1, -2, 3.5, 0, 1e-30, -0]),
      },
      { name: 'optimizer/iter', shape: [], dtype: 'int32' as const, values: new Int32Array([42]) },
      { name: 'empty', shape: [0], dtype: 'float32' as const, values: new Float32Array(0) },
    ],
  };

  it('round-trip state and tensors bit for bit, leaving no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
    const path = join(dir, 'nested', 'run.ckpt');
    writeCheckpoint(path, checkpoint);
    expect(readCheckpoint(path)).toEqual(checkpoint);
    expect(readdirSync(join(dir, 'nested'))).toEqual(['run.ckpt']);
    expect(readCheckpoint(join(dir, 'absent.ckpt'))).toBeUndefined();
  });

  it('a truncated or foreign file is an error naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
    const path = join(dir, 'run.ckpt');
    writeCheckpoint(path, checkpoint);
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 2));
    expect(() => readCheckpoint(path)).toThrow(/run\.ckpt: truncated at tensor 'optimizer\/iter'/);
    writeFileSync(path, bytes.subarray(0, 20));
    expect(() => readCheckpoint(path)).toThrow(/run\.ckpt: truncated header/);
    writeFileSync(path, 'hello world, not a checkpoint');
    expect(() => readCheckpoint(path)).toThrow(/run\.ckpt: not a checkpoint/);
  });
});
