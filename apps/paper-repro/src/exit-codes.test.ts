import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT, EXIT_CODES_HELP, isStorageError } from './exit-codes.js';
import { USAGE } from './options.js';

const errno = (code: string) => Object.assign(new Error(code), { code });

describe('exit codes', () => {
  it('are distinct, and --help and the README list each of them', () => {
    const codes = Object.values(EXIT);
    expect(new Set(codes).size).toBe(codes.length);
    expect(USAGE).toContain(EXIT_CODES_HELP);
    const readme = readFileSync(join(import.meta.dirname, '..', '..', '..', 'README.md'), 'utf8');
    for (const code of codes) {
      expect(EXIT_CODES_HELP).toMatch(new RegExp(`^  ${code}  `, 'm'));
      expect(readme).toMatch(new RegExp(`^\\| ${code} +\\|`, 'm'));
    }
  });

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
