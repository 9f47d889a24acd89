import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PlannedRun } from '../storage/plan.js';
import { isStorageError } from '../storage/storage-error.js';
import { startBackend } from '../training/backend.js';
import type { RunEvent } from '../training/run-events.js';
import { trainRun } from '../training/train-run.js';
import type { FromWorker, SharedRunOptions, ToWorker } from './worker-protocol.js';

/** How one training ended. */
export interface RunOutcome {
  /** The run. */
  run: PlannedRun;
  /**
   * `done`; `failed` with the error; `skipped`: not started, because an earlier run could
   * not write its results (the disk is full or read-only: every later run would fail too).
   */
  status: 'done' | 'failed' | 'skipped';
  /** Why it failed, or why it was skipped. */
  error?: string;
  /** The failure was one of writing to the results directory (see `isStorageError`). */
  storage?: boolean;
}

/** Options of {@link runAll}. */
export interface RunAllOptions extends SharedRunOptions {
  /** Worker processes; 1 trains in this process. */
  jobs: number;
  /** Progress events of every run. */
  onEvent: (event: RunEvent) => void;
  /** Called once per process with the backend it started. */
  onBackend?: (backend: string) => void;
  /**
   * Called when a run ends, before the next one starts. If it throws, the run counts as
   * failed with that error (e.g. its record could not be copied for want of disk space).
   */
  onOutcome?: (outcome: RunOutcome) => void;
  /** Called with the process id of every worker process started. */
  onWorker?: (pid: number) => void;
}

/**
 * Hands a run's outcome to `onOutcome` and returns it as it counts: if `onOutcome` throws,
 * the run counts as failed with that error (`storage` when it was one of writing results).
 */
export function tellOutcome(
  outcome: RunOutcome,
  onOutcome: ((outcome: RunOutcome) => void) | undefined,
): RunOutcome {
  try {
    onOutcome?.(outcome);
    return outcome;
  } catch (error) {
    return { ...outcome, status: 'failed', error: String(error), storage: isStorageError(error) };
  }
}

/**
 * Trains the runs, `jobs` at a time: with `jobs` 1 in this process, else in `jobs` worker
 * processes (each with its own tfjs backend: wasm runs one thread per process), each run on
 * `threads` threads where its method allows (see `startParallelTraining`). A failed
 * run does not stop the others, except a failure to write results (disk full, read-only):
 * then no further run starts, and those left are `skipped`. Resolves when every run has
 * ended.
 */
export async function runAll(
  runs: readonly PlannedRun[],
  options: RunAllOptions,
): Promise<RunOutcome[]> {
  const outcomes: RunOutcome[] = [];
  const queue = [...runs];
  const finish = (ended: RunOutcome) => {
    const outcome = tellOutcome(ended, options.onOutcome);
    outcomes.push(outcome);
    if (outcome.storage) {
      for (const run of queue.splice(0)) {
        outcomes.push({
          run,
          status: 'skipped',
          error: `an earlier run could not write its results: ${outcome.error}`,
        });
      }
    }
  };
  if (queue.length === 0) return outcomes;
  if (options.jobs <= 1) {
    const backend = await startBackend(options.backend, options.threads);
    options.onBackend?.(backend);
    for (let run = queue.shift(); run; run = queue.shift()) {
      try {
        await trainRun(run.spec, run.paths, {
          resume: run.start === 'resume',
          backend,
          ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
          threads: options.threads,
          ...(options.sparseAware ? { sparseAware: true } : {}),
          onEvent: options.onEvent,
        });
        finish({ run, status: 'done' });
      } catch (error) {
        finish({ run, status: 'failed', error: String(error), storage: isStorageError(error) });
      }
    }
    return outcomes;
  }
  const workers = Math.min(options.jobs, queue.length);
  await Promise.all(Array.from({ length: workers }, () => drain(queue, options, finish)));
  for (const run of queue.splice(0)) {
    finish({ run, status: 'failed', error: 'no worker process could start a backend' });
  }
  return outcomes;
}

/** One worker process taking runs off the queue until it is empty. */
function drain(
  queue: PlannedRun[],
  options: RunAllOptions,
  finish: (outcome: RunOutcome) => void,
): Promise<void> {
  const script = fileURLToPath(new URL('./worker.js', import.meta.url));
  const child: ChildProcess = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  if (child.pid !== undefined) options.onWorker?.(child.pid);
  const send = (message: ToWorker) => {
    if (child.connected) child.send(message);
  };
  const shared: SharedRunOptions = {
    resume: options.resume,
    threads: options.threads,
    ...(options.sparseAware ? { sparseAware: true } : {}),
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(options.backend === undefined ? {} : { backend: options.backend }),
  };
  return new Promise((resolve) => {
    let current: PlannedRun | undefined;
    const next = () => {
      current = queue.shift();
      if (!current) {
        send({ type: 'exit' });
        return;
      }
      send({
        type: 'run',
        spec: current.spec,
        paths: current.paths,
        resume: current.start === 'resume',
      });
    };
    child.on('message', (message: FromWorker) => {
      if (message.type === 'ready') {
        options.onBackend?.(message.backend);
        next();
      } else if (message.type === 'failed') {
        // the backend did not start: the runs stay in the queue for the other workers
        console.error(`repro: a worker could not start its backend: ${message.error}`);
        send({ type: 'exit' });
      } else if (message.type === 'event') {
        options.onEvent(message.event);
      } else if (message.type === 'result' && current) {
        finish({
          run: current,
          status: message.status,
          ...(message.error ? { error: message.error } : {}),
          ...(message.storage ? { storage: true } : {}),
        });
        next();
      }
    });
    // a worker that cannot be started (or whose channel breaks) ends like one that exits
    child.on('error', (error) => {
      console.error(`repro: worker process ${child.pid ?? '(not started)'}: ${error.message}`);
      if (child.pid === undefined) {
        resolve(); // never started: no 'exit' will come
      } else if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
      }
    });
    child.on('exit', (code, signal) => {
      if (current) {
        const why = `worker process ended (${signal ?? `exit code ${code}`}) during the run`;
        finish({ run: current, status: 'failed', error: why });
        current = undefined;
      }
      resolve();
    });
    send({ type: 'init', options: shared });
  });
}
