import { availableParallelism } from 'node:os';
import { BACKEND_NAMES } from '@bregman/runtime';
import { splitCores } from '../jobs/core-split.js';
import { count, readCommandLine, UsageError } from '../shared/cli-args.js';
import { EXIT } from '../shared/exit-codes.js';
import { parseQueueUrl, type QueueAddress } from './queue-url.js';

/** What `pnpm repro-worker` was asked to do. */
export interface WorkerOptions {
  /** `--queue`. */
  queue: QueueAddress;
  /** `--concurrency`: runs trained side by side. */
  concurrency: number;
  /** `--threads`: threads per run. */
  threads: number;
  /** Each training step on the live units where a run allows it: true unless `--dense-step`. */
  sparseAware: boolean;
  /** `--lock-seconds`. */
  lockSeconds: number;
  /** `--out` (absolute): the shared results directory's path here; absent: the planner's. */
  out?: string;
  /** `--data-dir` (absolute); absent: the planner's. */
  dataDir?: string;
  /** `--backend`; absent: the fastest that starts. */
  backend?: string;
}

/** The default of `--lock-seconds`: BullMQ's lock duration. */
export const DEFAULT_LOCK_SECONDS = 30;

/** `pnpm repro-worker --help`. */
export const WORKER_USAGE = `pnpm repro-worker --queue URL [options]

Trains the runs that pnpm repro --queue URL puts on the job queue in Redis at URL, on this
machine, with the engine of pnpm repro --jobs: each run in a process of its own, from its
last checkpoint when another worker started it. Start one per machine, as many machines as
you like, before or after the sweep; it runs until it is stopped (Ctrl-C, SIGTERM).
Run records and checkpoints go to the sweep's results directory, which every worker and
the planner must reach (a shared directory, e.g. NFS, mounted on every machine).

  --queue URL        redis://[USER:PASSWORD@]HOST[:PORT][/DB] (rediss:// for TLS): the
                     queue of the sweep (required)
  --concurrency N    runs trained side by side (default: one per core, ${availableParallelism()} here, or
                     cores / --threads)
  --threads N        threads per run, as for pnpm repro (default: the cores shared out
                     between the --concurrency runs)
  --sparse-aware     (default) each training step on the live network only, where a run
                     allows it, as for pnpm repro
  --dense-step       the dense step for every run
  --out DIR          the shared results directory's path on this machine (default: the
                     path the planner gave, for a directory mounted at the same path
                     everywhere); a worker refuses a sweep whose directory it does not see
  --data-dir DIR     official dataset files, as for pnpm repro (default: the planner's
                     --data-dir, at the same path here)
  --backend NAME     ${BACKEND_NAMES.join(' | ')} | auto (default auto)
  --lock-seconds N   a run whose worker is silent this long (killed, its machine down, cut
                     off from Redis) is given to another worker, which resumes it from its
                     last checkpoint (default ${DEFAULT_LOCK_SECONDS})
  --help             this text

A worker that cannot run a sweep's jobs (another version of the project, which plans the
runs differently; a results directory it does not see; missing data; a backend that does
not start) puts the job back untouched, says why and exits with code 2. Redis going away
is waited out: the worker reconnects and goes on.

Exit codes:
  ${EXIT.usage}  bad usage, Redis unreachable at the start, or a job this worker cannot run
  ${EXIT.internal}  an internal error (a bug; please report it with the printed stack)
  128+N  stopped by signal N (Ctrl-C: 130): its runs go to other workers after --lock-seconds`;

/** Parses `pnpm repro-worker`'s command line; `undefined` means `--help`. */
export function parseWorkerArgs(
  argv: readonly string[],
  cwd = process.cwd(),
): WorkerOptions | undefined {
  let queue: QueueAddress | undefined;
  let concurrency: number | undefined;
  let lockSeconds = DEFAULT_LOCK_SECONDS;
  const flags = readCommandLine(argv, [], cwd, ({ flag, value }) => {
    switch (flag) {
      case '--queue':
        queue = parseQueueUrl(value());
        break;
      case '--concurrency':
        concurrency = count('--concurrency', value(), 1);
        break;
      case '--lock-seconds':
        lockSeconds = count('--lock-seconds', value(), 1);
        break;
      default:
        throw new UsageError(
          flag.startsWith('-')
            ? `unknown option '${flag}'; see --help`
            : `unexpected argument '${flag}': the worker takes its runs from the queue; see --help`,
        );
    }
  });
  if (!flags) return undefined;
  if (queue === undefined) {
    throw new UsageError('--queue URL is required: the Redis of the sweep, e.g. redis://HOST:6379');
  }
  // as many runs side by side as cores, the cores shared out as threads (see splitCores)
  const { threads, ...given } = flags;
  const split = splitCores(availableParallelism(), Number.MAX_SAFE_INTEGER, {
    ...(concurrency === undefined ? {} : { jobs: concurrency }),
    ...(threads === undefined ? {} : { threads }),
  });
  return {
    queue,
    concurrency: split.jobs,
    threads: split.threads,
    lockSeconds,
    ...given,
    sparseAware: given.sparseAware ?? true,
  };
}
