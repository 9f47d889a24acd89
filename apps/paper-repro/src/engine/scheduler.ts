import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startBackend } from './backend.js';
import type { PlannedRun } from './plan.js';
import type { RunEvent } from './run-events.js';
import { trainRun } from './train-run.js';
import type { FromWorker, SharedRunOptions, ToWorker } from './worker-protocol.js';

/** How one training ended. */
export interface RunOutcome {
  /** The run. */
  run: PlannedRun;
  /** `done`, or `failed` with the error. */
  status: 'done' | 'failed';
  /** Why it failed. */
  error?: string;
}

/** Options of {@link runAll}. */
export interface RunAllOptions extends SharedRunOptions {
  /** Worker processes; 1 trains in this process. */
  jobs: number;
  /** Progress events of every run. */
  onEvent: (event: RunEvent) => void;
  /** Called once per process with the backend it started. */
  onBackend?: (backend: string) => void;
  /** Called when a run ends, before the next one starts. */
  onOutcome?: (outcome: RunOutcome) => void;
}

/**
 * Trains the runs, `jobs` at a time: with `jobs` 1 in this process, else in `jobs` worker
 * processes (each with its own tfjs backend: wasm runs one thread per process). A failed
 * run does not stop the others. Resolves when every run has ended.
 */
export async function runAll(
  runs: readonly PlannedRun[],
  options: RunAllOptions,
): Promise<RunOutcome[]> {
  const outcomes: RunOutcome[] = [];
  const finish = (outcome: RunOutcome) => {
    outcomes.push(outcome);
    options.onOutcome?.(outcome);
  };
  const queue = [...runs];
  if (queue.length === 0) return outcomes;
  if (options.jobs <= 1) {
    const backend = await startBackend(options.backend);
    options.onBackend?.(backend);
    for (const run of queue) {
      try {
        await trainRun(run.spec, run.paths, {
          resume: run.start === 'resume',
          backend,
          ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
          onEvent: options.onEvent,
        });
        finish({ run, status: 'done' });
      } catch (error) {
        finish({ run, status: 'failed', error: String(error) });
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
  const send = (message: ToWorker) => child.send(message);
  const shared: SharedRunOptions = {
    resume: options.resume,
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
        });
        next();
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
