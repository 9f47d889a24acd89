import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { USAGE } from './options.js';
import { EXIT, EXIT_CODES_HELP } from './shared/exit-codes.js';

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
});
