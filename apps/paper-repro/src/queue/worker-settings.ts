/** The environment variable that carries {@link WorkerSettings} to the sandboxed processors. */
export const SETTINGS_ENV = 'BREGMAN_REPRO_WORKER_SETTINGS';

/**
 * A test of crash recovery only: a processor that finds this variable set to an epoch `k`
 * stops (blocks, and so looks alive to its worker) right after writing epoch `k`'s
 * checkpoint of its first run, so that a test can kill the worker in the middle of a run.
 */
export const HANG_AFTER_EPOCH_ENV = 'BREGMAN_REPRO_TEST_HANG_AFTER_EPOCH';

/** What `pnpm repro-worker` passes to each sandboxed processor (a child process). */
export interface WorkerSettings {
  /** How logs and jobs name the worker: `HOST:PID`. */
  worker: string;
  /** `--out`: the shared results directory here (absent: the planner's path, from the job). */
  out?: string;
  /** `--data-dir` (absent: the planner's path, from the job). */
  dataDir?: string;
  /** `--backend`. */
  backend?: string;
  /** Threads per run. */
  threads: number;
  /** `--sparse-aware`. */
  sparseAware?: boolean;
  /** `--lock-seconds`: how long a silent worker keeps a run. */
  lockSeconds: number;
}

/** The settings of this processor process, from {@link SETTINGS_ENV}. */
export function readWorkerSettings(): WorkerSettings {
  const text = process.env[SETTINGS_ENV];
  if (text === undefined) {
    throw new Error(`${SETTINGS_ENV} is not set: the processor runs only under pnpm repro-worker`);
  }
  return JSON.parse(text) as WorkerSettings;
}
