import { mkdirSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A results directory that cannot be used: `pnpm repro` exits 2 before any training. */
export class UnusableDirError extends Error {}

/**
 * Filesystems that are views of the kernel, not storage (`statfs` magic numbers): writing
 * results there fails or, as Node's recursive `mkdir` does on `/proc`, never returns.
 */
const PSEUDO_FILESYSTEMS = new Map<number, string>([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x1cd1, 'devpts'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x6165676c, 'pstore'],
  [0xcafe4a11, 'bpf'],
  [0x62656570, 'configfs'],
  [0xde5e81e4, 'efivarfs'],
  [0x42494e4d, 'binfmt_misc'],
  [0x65735543, 'fusectl'],
  [0x19800202, 'mqueue'],
  [0x6e736673, 'nsfs'],
  [0xf97cff8c, 'selinuxfs'],
]);

/** The path itself if it exists, else its nearest existing ancestor. */
function nearestExisting(path: string): { path: string; isDirectory: boolean } {
  for (let p = path; ; p = dirname(p)) {
    try {
      return { path: p, isDirectory: statSync(p).isDirectory() };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || dirname(p) === p) throw error;
    }
  }
}

/**
 * Makes sure `dir` (absolute) can hold results, before anything is trained: it exists or
 * can be created, is a directory, is not on a pseudo filesystem (`/proc`, `/sys`, …) and
 * a file can be written to it. Creates it when missing. `flag` names the option in errors.
 */
export function prepareOutDir(dir: string, flag = '--out'): void {
  const bad = (why: string) => new UnusableDirError(`${flag} ${dir} ${why}`);
  let existing: { path: string; isDirectory: boolean };
  try {
    existing = nearestExisting(dir);
  } catch (error) {
    throw bad(`cannot be checked (${(error as Error).message})`);
  }
  if (!existing.isDirectory) {
    throw bad(
      existing.path === dir
        ? 'is a file, not a directory'
        : `cannot be created: ${existing.path} is a file, not a directory`,
    );
  }
  const type = PSEUDO_FILESYSTEMS.get(statfsSync(existing.path).type);
  if (type !== undefined) {
    throw bad(
      `is on the ${type} pseudo filesystem, which cannot store files; choose a directory on a disk`,
    );
  }
  const probe = join(dir, `.repro-write-test-${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(probe, 'ok');
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw bad(`is not writable (${code ?? message})`);
  } finally {
    rmSync(probe, { force: true });
  }
}
