import { describe, expect, it } from 'vitest';
import { isStorageError } from './storage-error.js';

const errno = (code: string) => Object.assign(new Error(code), { code });

describe('isStorageError', () => {
  it('a full disk, a read-only or forbidden directory is a storage error, also as a cause', () => {
    for (const code of ['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EIO']) {
      expect(isStorageError(errno(code))).toBe(true);
    }
    expect(isStorageError(new Error('wrapped', { cause: errno('ENOSPC') }))).toBe(true);
    expect(isStorageError(errno('ENOENT'))).toBe(false);
    expect(isStorageError(new Error('NaN loss'))).toBe(false);
    expect(isStorageError('ENOSPC')).toBe(false);
  });
});
