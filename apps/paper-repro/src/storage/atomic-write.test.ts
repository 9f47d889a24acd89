import { closeSync, fsyncSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AtomicWriteError, removeStaleTemporaryFiles, writeFileAtomic } from './atomic-write.js';

// the real file system, with calls a test can make fail (a full disk cannot be made without privileges)
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  return {
    ...real,
    writeSync: vi.fn(real.writeSync),
    fsyncSync: vi.fn(real.fsyncSync),
    closeSync: vi.fn(real.closeSync),
    renameSync: vi.fn(real.renameSync),
    unlinkSync: vi.fn(real.unlinkSync),
  };
});

const real = await vi.importActual<typeof import('node:fs')>('node:fs');

function scratch(): string {
  return real.mkdtempSync(join(tmpdir(), 'atomic-'));
}

function errno(code: string, syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated, ${syscall}`), { code, syscall });
}

/** `writeFileAtomic(path, data)` throws an AtomicWriteError naming `path` and the cause. */
function expectFailure(path: string, data: Parameters<typeof writeFileAtomic>[1], why: RegExp) {
  let error: unknown;
  try {
    writeFileAtomic(path, data);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(AtomicWriteError);
  const failure = error as AtomicWriteError;
  expect(failure.name).toBe('AtomicWriteError');
  expect(failure.path).toBe(path);
  expect(failure.message).toContain(`could not write ${path}: `);
  expect(failure.message).toMatch(why);
  expect(failure.cause).toBeInstanceOf(Error);
  return failure;
}

afterEach(() => {
  vi.clearAllMocks();
});

describe('writeFileAtomic', () => {
  it('writes strings, bytes and lists of bytes, replacing the old content, nothing left beside', () => {
    const dir = scratch();
    const path = join(dir, 'sub', 'file.txt');
    writeFileAtomic(path, 'old');
    writeFileAtomic(path, [new Uint8Array([104, 105]), Buffer.from('!')]);
    expect(real.readFileSync(path, 'utf8')).toBe('hi!');
    writeFileAtomic(path, new Uint8Array(0));
    expect(real.readFileSync(path, 'utf8')).toBe('');
    expect(real.readdirSync(join(dir, 'sub'))).toEqual(['file.txt']);
  });

  it('a rename that fails (a directory at the target) removes the temporary file', () => {
    const dir = scratch();
    const path = join(dir, 'target');
    real.mkdirSync(join(path, 'inside'), { recursive: true });
    const failure = expectFailure(path, 'data', /EISDIR|ENOTEMPTY|EEXIST/);
    expect(failure.code).toMatch(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(real.readdirSync(dir)).toEqual(['target']);
    expect(real.readdirSync(path)).toEqual(['inside']);
  });

  it('a directory that cannot be made (a file in the way) is an AtomicWriteError', () => {
    const dir = scratch();
    real.writeFileSync(join(dir, 'file'), 'x');
    const failure = expectFailure(join(dir, 'file', 'sub', 'out.json'), 'data', /ENOTDIR|EEXIST/);
    expect(failure.code).toMatch(/ENOTDIR|EEXIST/);
    expect(real.readdirSync(dir)).toEqual(['file']);
  });

  it('does not remove what it did not create (a directory at the temporary name)', () => {
    const dir = scratch();
    const path = join(dir, 'out.json');
    real.mkdirSync(`${path}.tmp-${process.pid}`);
    expectFailure(path, 'data', /EISDIR/);
    expect(real.statSync(`${path}.tmp-${process.pid}`).isDirectory()).toBe(true);
  });

  it('a full disk (ENOSPC) after a partial write removes the temporary file, keeps the old content', () => {
    const dir = scratch();
    const path = join(dir, 'record.json');
    writeFileAtomic(path, 'old content');
    vi.mocked(writeSync).mockClear();
    vi.mocked(writeSync)
      .mockImplementationOnce(((fd: number, buffer: Uint8Array) =>
        real.writeSync(fd, buffer, 0, 3)) as typeof writeSync)
      .mockImplementationOnce(() => {
        throw errno('ENOSPC', 'write');
      });
    const failure = expectFailure(path, 'new content, longer', /ENOSPC.*\(the disk is full\)/);
    expect(failure.code).toBe('ENOSPC');
    expect(writeSync).toHaveBeenCalledTimes(2);
    expect(real.readdirSync(dir)).toEqual(['record.json']);
    expect(real.readFileSync(path, 'utf8')).toBe('old content');
  });

  for (const [call, code] of [
    ['fsyncSync', 'EIO'],
    ['closeSync', 'ENOSPC'],
    ['renameSync', 'EXDEV'],
  ] as const) {
    it(`a failing ${call} (${code}) removes the temporary file`, () => {
      const dir = scratch();
      const path = join(dir, 'out.bin');
      vi.mocked({ fsyncSync, closeSync, renameSync }[call]).mockImplementationOnce(() => {
        throw errno(code, call);
      });
      expect(
        expectFailure(path, [Buffer.from('ab'), Buffer.from('cd')], new RegExp(code)).code,
      ).toBe(code);
      expect(real.readdirSync(dir)).toEqual([]);
    });
  }

  it('a write that makes no progress is an error, not a hang', () => {
    const dir = scratch();
    vi.mocked(writeSync).mockImplementationOnce(() => 0);
    expectFailure(join(dir, 'out'), 'data', /write returned 0 with 4 bytes left/);
    expect(real.readdirSync(dir)).toEqual([]);
  });

  it('says so when the temporary file cannot be removed either', () => {
    const dir = scratch();
    const path = join(dir, 'out');
    vi.mocked(writeSync).mockImplementationOnce(() => {
      throw errno('ENOSPC', 'write');
    });
    vi.mocked(unlinkSync).mockImplementationOnce(() => {
      throw errno('EACCES', 'unlink');
    });
    expectFailure(path, 'data', /the temporary file .*out\.tmp-\d+ could not be removed/);
  });
});

describe('removeStaleTemporaryFiles', () => {
  it('removes what a killed writer left at any depth, and nothing else', () => {
    const dir = real.mkdtempSync(join(tmpdir(), 'stale-'));
    const files = [
      'a/runs/x.json',
      'a/runs/x.json.tmp-123',
      'a/checkpoints/x.ckpt.tmp-9',
      'a/artifacts/x/first-conv-e1.bin.tmp-77',
      '.repro-write-test-55',
      'notes.tmp-draft',
      'REPORT.md',
    ];
    for (const file of files) {
      real.mkdirSync(dirname(join(dir, file)), { recursive: true });
      real.writeFileSync(join(dir, file), 'x');
    }
    expect(removeStaleTemporaryFiles(dir).sort()).toEqual([
      '.repro-write-test-55',
      'a/artifacts/x/first-conv-e1.bin.tmp-77',
      'a/checkpoints/x.ckpt.tmp-9',
      'a/runs/x.json.tmp-123',
    ]);
    expect(real.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()).toEqual([
      'REPORT.md',
      'a',
      'a/artifacts',
      'a/artifacts/x',
      'a/checkpoints',
      'a/runs',
      'a/runs/x.json',
      'notes.tmp-draft',
    ]);
  });
});
