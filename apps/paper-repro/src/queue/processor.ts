// The sandboxed processor of `pnpm repro-worker`: BullMQ runs this file in a child process
// of the worker (one per concurrent job), so training never blocks the worker's event loop,
// which keeps renewing the job's lock (BullMQ docs, "Stalled Jobs").
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DelayedError, type SandboxedJob, UnrecoverableError, WaitingError } from 'bullmq';
import { checkDataDir } from '../data/data-dir.js';
import {
  DATA_SUBDIRS,
  dataDirSubdir,
  datasetDir,
  loadRunData,
  systemDatasetsRoot,
} from '../data/run-data.js';
import { removeStaleTemporaryFiles } from '../storage/atomic-write.js';
import { type RunPaths, runPaths } from '../storage/plan.js';
import { readRunRecord } from '../storage/run-record.js';
import { startBackend } from '../training/backend.js';
import type { RunEvent } from '../training/run-events.js';
import { trainRun } from '../training/train-run.js';
import { isPermanentFailure } from './permanent-failure.js';
import {
  type RunJobData,
  type RunJobProgress,
  type RunJobResult,
  runJobName,
  versionProblem,
} from './run-job.js';
import { acquireRunLock } from './run-lock.js';
import { readResultsId, runLockPath } from './shared-results.js';
import {
  HANG_AFTER_EPOCH_ENV,
  readWorkerSettings,
  type WorkerSettings,
} from './worker-settings.js';

/** The job as the processor sees it. */
type RunJob = SandboxedJob<RunJobData, RunJobResult>;

/** A reason to put a job back untouched and stop this worker (see {@link refuse}). */
class Refusal extends Error {}

let backend: Promise<string> | undefined;
let hung = false;

// Stop at once (at the next batch: training yields to the event loop) when the worker stops
// or dies, rather than train on unseen: files are written atomically, the last checkpoint
// stays whole, and the run's lock, whose holder is then gone, is taken over by the worker
// that gets the run next.
process.on('disconnect', () => process.exit(0));
for (const [signal, code] of [
  ['SIGTERM', 143],
  ['SIGINT', 130],
] as const) {
  process.prependListener(signal, () => process.exit(code));
}

/**
 * Trains one run of the queue with the engine of `pnpm repro --jobs`: checks that this
 * worker may (its version plans the same run, its results directory is the sweep's, it
 * has the sweep's data, its backend starts; else it puts the job back, see
 * {@link refuse}), returns at once when the run is finished already, takes the run's lock
 * in the results directory, then trains it with `resume`, so that a run given out again
 * (its worker died, Redis lost it) continues from its last checkpoint. A failure for good
 * (non-finite loss, bad data: {@link isPermanentFailure}) is an `UnrecoverableError`; any
 * other failure is tried again by BullMQ, with backoff.
 */
export default async function processRunJob(job: RunJob, token?: string): Promise<RunJobResult> {
  const settings = readWorkerSettings();
  const { spec, key } = job.data;
  const label = runJobName(spec);
  const say = (line: string) =>
    process.stderr.write(`repro-worker (${settings.worker}): ${label}: ${line}\n`);
  let out: string;
  let dataDir: string | undefined;
  let backendName: string;
  try {
    ({ out, dataDir } = checkWorker(job.data, settings));
    backendName = await startBackendOnce(settings.backend, settings.threads);
  } catch (error) {
    if (error instanceof Refusal) return refuse(job, token, settings.worker, error.message);
    throw error;
  }
  const paths = runPaths(out, spec);
  const finished = { worker: settings.worker, trained: false, fromEpoch: spec.epochs };
  try {
    if (isDone(paths, key)) {
      say('finished already; nothing to train');
      return finished;
    }
    const taken = acquireRunLock(runLockPath(out, key), settings.worker, {
      heartbeatMs: Math.max(1000, (settings.lockSeconds * 1000) / 3),
      staleMs: Math.max(settings.lockSeconds * 2000, 10_000),
      onLost: (now) => say(`its run lock is now held by ${now?.worker ?? 'another worker'}`),
    });
    if (!taken.acquired) {
      const holder = taken.holder?.worker ?? 'another worker';
      say(`${holder} is training it; trying again in ${settings.lockSeconds} s`);
      await job.moveToDelayed(Date.now() + settings.lockSeconds * 1000, token);
      throw new DelayedError();
    }
    const { lock } = taken;
    try {
      if (lock.tookOver) say(`took over the run from ${lock.tookOver.worker}, which stopped`);
      removeLeftovers(paths);
      // it may have finished between the first look and the lock
      if (isDone(paths, key)) {
        say('finished already; nothing to train');
        return finished;
      }
      // bad data fails for good; loaded once per process, so trainRun reads it from memory
      await loadRunData(spec.data, dataDir);
      return await train(job, settings, paths, dataDir, backendName, say);
    } finally {
      lock.release();
    }
  } catch (error) {
    if (!isPermanentFailure(error)) throw error;
    throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
  }
}

/** Trains the run, from its checkpoint if it has one, reporting its events as the job's progress. */
async function train(
  job: RunJob,
  settings: WorkerSettings,
  paths: RunPaths,
  dataDir: string | undefined,
  backendName: string,
  say: (line: string) => void,
): Promise<RunJobResult> {
  const attempt = job.attemptsMade + 1;
  const tries = `try ${attempt} of ${job.opts.attempts ?? 1}`;
  const report = progressReporter(job, settings.worker, attempt);
  let fromEpoch = 0;
  const started = performance.now();
  await trainRun(job.data.spec, paths, {
    resume: true,
    backend: backendName,
    ...(dataDir === undefined ? {} : { dataDir }),
    threads: settings.threads,
    ...(settings.sparseAware ? { sparseAware: true } : {}),
    onEvent: (event) => {
      if (event.type === 'start') {
        fromEpoch = event.fromEpoch;
        say(
          fromEpoch === 0
            ? `training from the start (${tries})`
            : `resuming after epoch ${fromEpoch} (${tries})`,
        );
      }
      report(event);
      hangForTest(event, say);
    },
  });
  say(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { worker: settings.worker, trained: true, fromEpoch };
}

/** Whether the run's record says it is finished, for this configuration. */
function isDone(paths: RunPaths, key: string): boolean {
  const record = readRunRecord(paths.record);
  return record?.status === 'done' && record.key === key;
}

/**
 * Puts a job back in the queue without using up a try, says why in its progress (the
 * planner shows it) and throws BullMQ's `WaitingError`; the worker, seeing the refusal,
 * stops with that message, so that a worker that cannot run the sweep's jobs does not
 * take them from the others.
 */
async function refuse(
  job: RunJob,
  token: string | undefined,
  worker: string,
  reason: string,
): Promise<never> {
  const progress: RunJobProgress = { kind: 'refused', worker, reason };
  await job.updateProgress(progress);
  await job.moveToWait(token);
  throw new WaitingError();
}

/**
 * Checks that this worker can train the job: its version plans the run as the planner did,
 * its results directory is the sweep's, and it has the sweep's data files. Returns the
 * results directory and the data directory to train with.
 *
 * @throws Refusal saying what is wrong and what to do.
 */
function checkWorker(
  data: RunJobData,
  settings: WorkerSettings,
): { out: string; dataDir: string | undefined } {
  const version = versionProblem(data);
  if (version !== undefined) throw new Refusal(version);
  const out = settings.out ?? data.results.dir;
  const sweep = `the sweep's results directory (${data.results.host}:${data.results.dir})`;
  const where =
    settings.out === undefined
      ? `mount ${sweep} at ${out} on this machine, or give repro-worker --out with its path here`
      : `give repro-worker --out with the path of ${sweep} on this machine`;
  if (!existsSync(out)) throw new Refusal(`${out} does not exist here: ${where}`);
  const id = readResultsId(out);
  if (id !== data.results.id) {
    throw new Refusal(
      `${out} is not ${sweep} (${id === undefined ? 'it has no .repro-queue/id' : `its id is ${id}, the sweep's ${data.results.id}`}): ${where}`,
    );
  }
  const { dataset } = data.spec.data;
  if (data.data.filesDir === undefined) return { out, dataDir: undefined };
  const dataDir = settings.dataDir ?? data.data.dataDir;
  const sub = DATA_SUBDIRS[dataset];
  if (datasetDir(dataset, dataDir) === undefined) {
    const system = systemDatasetsRoot();
    throw new Refusal(
      `the sweep reads ${dataset} from ${data.results.host}:${data.data.filesDir}, this worker finds no ` +
        `${sub}/ in ${dataDir ?? '(no --data-dir)'}${system === undefined ? '' : ` nor in ${system}`}: give repro-worker --data-dir DIR with the official files in DIR/${sub}/`,
    );
  }
  if (dataDirSubdir(dataset, dataDir) !== undefined) {
    try {
      checkDataDir(dataDir, [dataset]);
    } catch (error) {
      throw new Refusal(error instanceof Error ? error.message : String(error));
    }
  }
  return { out, dataDir };
}

/** Starts this process's tfjs backend once; a backend that does not start is a refusal. */
async function startBackendOnce(prefer: string | undefined, threads: number): Promise<string> {
  backend ??= startBackend(prefer, threads);
  try {
    return await backend;
  } catch (error) {
    throw new Refusal(
      `this worker cannot start the ${prefer ?? 'automatically chosen'} backend: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/**
 * Removes the temporary files that a holder killed in the middle of an atomic write left
 * beside the run's files (the run's lock is held: nobody else writes them).
 */
function removeLeftovers(paths: RunPaths): void {
  for (const file of [paths.record, paths.checkpoint, paths.model]) {
    const dir = dirname(file);
    if (!existsSync(dir)) continue;
    const prefix = `${basename(file)}.tmp-`;
    for (const name of readdirSync(dir)) {
      if (name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length))) {
        rmSync(join(dir, name), { force: true });
      }
    }
  }
  if (existsSync(paths.artifacts)) removeStaleTemporaryFiles(paths.artifacts);
}

/**
 * Reports a run's events as its job's progress, which the planner shows: every event but
 * batches at once, the latest batch at most once a second.
 */
function progressReporter(job: RunJob, worker: string, attempt: number) {
  const events: RunEvent[] = [];
  let batch: RunEvent | undefined;
  let sent = 0;
  const send = () => {
    sent = performance.now();
    const progress: RunJobProgress = {
      kind: 'training',
      worker,
      attempt,
      events: batch ? [...events, batch] : [...events],
    };
    // the parent process writes it to Redis; a progress update lost in an outage is harmless
    job.updateProgress(progress).catch(() => {});
  };
  return (event: RunEvent) => {
    if (event.type === 'batch') {
      batch = event;
      if (performance.now() - sent >= 1000) send();
    } else {
      batch = undefined;
      events.push(event);
      send();
    }
  };
}

/** See {@link HANG_AFTER_EPOCH_ENV}: blocks for good after the given epoch of the first run. */
function hangForTest(event: RunEvent, say: (line: string) => void): void {
  const epoch = process.env[HANG_AFTER_EPOCH_ENV];
  if (
    hung ||
    epoch === undefined ||
    event.type !== 'epoch' ||
    event.record.epoch !== Number(epoch)
  ) {
    return;
  }
  hung = true;
  say(`hanging after epoch ${epoch} (${HANG_AFTER_EPOCH_ENV}, for a test)`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}
