import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareOutDir, UnusableDirError } from './out-dir.js';

const temp = () => mkdtempSync(join(tmpdir(), 'out-dir-'));

describe('prepareOutDir', () => {
  it('creates a missing directory (and its parents) and leaves no probe file', () => {
    const dir = join(temp(), 'a', 'b');
    prepareOutDir(dir);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('accepts an existing directory and keeps what it holds', () => {
    const dir = temp();
    writeFileSync(join(dir, 'keep.txt'), 'x');
    prepareOutDir(dir);
    expect(readdirSync(dir)).toEqual(['keep.txt']);
  });

  it.each([
    ['/proc/x', /--out \/proc\/x is on the proc pseudo filesystem/],
    ['/proc/self/x/y', /--out \/proc\/self\/x\/y is on the proc pseudo filesystem/],
    ['/sys/x', /--out \/sys\/x is on the sysfs pseudo filesystem/],
  ])('refuses %s at once (Node’s recursive mkdir never returns on /proc)', (dir, message) => {
    expect(() => prepareOutDir(dir)).toThrow(UnusableDirError);
    expect(() => prepareOutDir(dir)).toThrow(message);
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses a file, and a path below a file', () => {
    const file = join(temp(), 'f');
    writeFileSync(file, 'x');
    expect(() => prepareOutDir(file)).toThrow(`--out ${file} is a file, not a directory`);
    expect(() => prepareOutDir(join(file, 'sub'), '--x')).toThrow(
      `--x ${join(file, 'sub')} cannot be created: ${file} is a file, not a directory`,
    );
  });
});
