import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { BACKEND_NAMES } from '@bregman/runtime';

/** A command-line mistake, or missing data: exit code 2. */
export class UsageError extends Error {}

/**
 * The integer value of a flag, at least `min`.
 *
 * @throws UsageError naming the flag, what it takes and what it got.
 */
export function count(flag: string, value: string | undefined, min: number): number {
  const n = Number(value);
  if (value === undefined || value === '' || !Number.isInteger(n) || n < min) {
    throw new UsageError(
      `${flag} must be an integer ≥ ${min}, got ${value === undefined ? 'nothing' : `'${value}'`}`,
    );
  }
  return n;
}

/**
 * A path given to a flag, which must not be empty.
 *
 * @throws UsageError naming the flag.
 */
export function pathArg(flag: string, value: string): string {
  if (value.trim() === '') throw new UsageError(`${flag} needs a non-empty path, got '${value}'`);
  return value;
}

/** `--data-dir`'s value as an absolute path, which must be a directory. */
export function dataDirArg(value: string, cwd: string): string {
  const dir = resolve(cwd, pathArg('--data-dir', value));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(
      `--data-dir ${dir} is not a directory; it should hold the official files in mnist/, fashion-mnist/ ` +
        '(IDX, from http://yann.lecun.com/exdb/mnist/ and https://github.com/zalandoresearch/fashion-mnist) ' +
        'or cifar-10-batches-bin/ (from https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz)',
    );
  }
  return dir;
}

/** `--backend`'s value: a backend name, or undefined for `auto` (the fastest available). */
export function backendArg(name: string): string | undefined {
  if (name !== 'auto' && !(BACKEND_NAMES as readonly string[]).includes(name)) {
    throw new UsageError(`unknown backend '${name}'; allowed: auto, ${BACKEND_NAMES.join(', ')}`);
  }
  return name === 'auto' ? undefined : name;
}

/** One command-line argument: its flag (before any `=`) and a reader of its value. */
export interface FlagArgument {
  /** The flag, e.g. `--jobs` (the whole argument when it is no `--flag=value`). */
  flag: string;
  /** The argument as given. */
  arg: string;
  /** The flag's value: after its `=`, else the next argument (consumed). */
  value(): string;
}

/**
 * The arguments one by one, for a `switch` on the flag: `--flag=value` and `--flag value`
 * both give the value; a value that is missing (or another flag) and a `switch=value` are
 * usage errors that name the flag.
 */
export function* flagsOf(
  argv: readonly string[],
  switches: readonly string[],
): Generator<FlagArgument> {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    if (inline !== undefined && switches.includes(flag!)) {
      throw new UsageError(`${flag} takes no value (got '${arg}'); leave it out to turn it off`);
    }
    yield {
      flag: flag!,
      arg,
      value: () => {
        const v = inline ?? argv[++i];
        if (v === undefined || (inline === undefined && v.startsWith('--'))) {
          throw new UsageError(`${flag} needs a value`);
        }
        return v;
      },
    };
  }
}

/** The values of the flags both `pnpm repro` and `pnpm repro-worker` take, when given. */
export interface SharedFlags {
  /** `--threads`: threads per run. */
  threads?: number;
  /**
   * `--sparse-aware` (true) or `--dense-step` (false): whether each step is computed on the
   * live units where a run allows it; absent when neither was given (the default is true).
   */
  sparseAware?: boolean;
  /** `--backend`; absent: the fastest that starts (`auto`). */
  backend?: string;
  /** `--out` (absolute). */
  out?: string;
  /** `--data-dir` (absolute). */
  dataDir?: string;
}

/**
 * Reads a command line: `--help` (`-h`) stops it, giving undefined; the flags both commands
 * take (`--threads`, `--sparse-aware` / `--dense-step`, `--backend`, `--out`, `--data-dir`, paths resolved against `cwd`) come
 * back as {@link SharedFlags}; every other argument goes to `own`, in order (a `switch` on
 * its flag that throws a UsageError on one it does not know). `switches`: the command's
 * own flags that take no value.
 */
export function readCommandLine(
  argv: readonly string[],
  switches: readonly string[],
  cwd: string,
  own: (arg: FlagArgument) => void,
): SharedFlags | undefined {
  const flags: SharedFlags = {};
  for (const arg of flagsOf(argv, [
    '--help',
    '-h',
    '--sparse-aware',
    '--dense-step',
    ...switches,
  ])) {
    const { flag, value } = arg;
    switch (flag) {
      case '--help':
      case '-h':
        return undefined;
      case '--threads':
        flags.threads = count('--threads', value(), 1);
        break;
      case '--sparse-aware':
      case '--dense-step': {
        const sparseAware = flag === '--sparse-aware';
        if (flags.sparseAware === !sparseAware) {
          throw new UsageError(
            '--sparse-aware and --dense-step contradict each other: give one of them (the default is --sparse-aware)',
          );
        }
        flags.sparseAware = sparseAware;
        break;
      }
      case '--backend': {
        const backend = backendArg(value());
        if (backend === undefined) delete flags.backend;
        else flags.backend = backend;
        break;
      }
      case '--out':
        flags.out = resolve(cwd, pathArg('--out', value()));
        break;
      case '--data-dir':
        flags.dataDir = dataDirArg(value(), cwd);
        break;
      default:
        own(arg);
    }
  }
  return flags;
}
