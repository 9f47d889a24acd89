import { DataFileError } from '@bregman/datasets';
import { describe, expect, it } from 'vitest';
import { AtomicWriteError } from '../storage/atomic-write.js';
import { CorruptCheckpointError } from '../storage/checkpoint.js';
import { NonFiniteLossError } from '../training/train-run.js';
import { isPermanentFailure } from './permanent-failure.js';

describe('isPermanentFailure', () => {
  it('a non-finite loss, bad data, a damaged or foreign checkpoint fail for good', () => {
    expect(isPermanentFailure(new NonFiniteLossError('training loss is NaN in epoch 3'))).toBe(
      true,
    );
    expect(isPermanentFailure(new DataFileError('/d/train-images', 'truncated'))).toBe(true);
    expect(isPermanentFailure(new CorruptCheckpointError('/c.ckpt', 'not a checkpoint'))).toBe(
      true,
    );
    expect(
      isPermanentFailure(new Error('checkpoint /c.ckpt belongs to another configuration')),
    ).toBe(true);
  });

  it('anything else is tried again: a full disk, a lost process, an unknown error', () => {
    const full = Object.assign(new Error('no space'), { code: 'ENOSPC' });
    expect(isPermanentFailure(new AtomicWriteError('/r.json', full))).toBe(false);
    expect(isPermanentFailure(new Error('Unexpected exit code: null signal: SIGKILL'))).toBe(false);
    expect(isPermanentFailure('a string')).toBe(false);
  });
});
