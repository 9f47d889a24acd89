import { hostname } from 'node:os';
import { Worker } from 'bullmq';
import { lastingConnection, outageLogger } from './connect.js';
import {
  ATTEMPTS,
  QUEUE_NAME,
  type RunJobData,
  type RunJobProgress,
  type RunJobResult,
} from './run-job.js';
import type { WorkerOptions } from './worker-options.js';
import { SETTINGS_ENV, type WorkerSettings } from './worker-settings.js';

/** Options of {@link startQueueWorker}: `pnpm repro-worker`'s, each run in a process of its own. */
export interface QueueWorkerOptions extends WorkerOptions {
  /** Where lines go. */
  log: (line: string) => void;
}

/** A running worker. */
export interface QueueWorker {
  /** How logs and jobs name it: `HOST:PID`. */
  readonly name: string;
  /**
   * Resolves when the worker has stopped by itself: with the message of a job it refused
   * (it cannot run the sweep's jobs: another version, another results directory, missing
   * data, a backend that does not start), after putting that job back.
   */
  readonly refused: Promise<string>;
  /** Stops taking jobs and waits for those in progress (for tests and tools). */
  close(): Promise<void>;
}

/** Times a run may be found stalled (its worker gone) and given out again before it fails. */
const MAX_STALLS = 10;

/**
 * Starts a BullMQ worker on the queue: it takes `concurrency` runs at a time and trains
 * each in a sandboxed processor (`processor.js`, a child process with its own tfjs
 * backend), so that training never blocks this process's event loop, which renews the
 * runs' locks every `lockSeconds / 2`. A worker that goes silent for `lockSeconds`
 * (killed, its machine down, cut off from Redis) loses its runs: another worker's stall
 * check gives them out again, and they resume from their last checkpoint. Logs each failed
 * try and each lost or regained connection to Redis (the processors log the runs).
 */
export function startQueueWorker(options: QueueWorkerOptions): QueueWorker {
  const name = `${hostname()}:${process.pid}`;
  const settings: WorkerSettings = {
    worker: name,
    threads: options.threads,
    ...(options.sparseAware ? { sparseAware: true } : {}),
    lockSeconds: options.lockSeconds,
    ...(options.out === undefined ? {} : { out: options.out }),
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(options.backend === undefined ? {} : { backend: options.backend }),
  };
  const log = (line: string) => options.log(`repro-worker (${name}): ${line}`);
  const lockDuration = options.lockSeconds * 1000;
  const worker = new Worker<RunJobData, RunJobResult>(
    QUEUE_NAME,
    new URL('./processor.js', import.meta.url),
    {
      connection: lastingConnection(options.queue),
      concurrency: options.concurrency,
      name,
      lockDuration,
      stalledInterval: lockDuration,
      maxStalledCount: MAX_STALLS,
      useWorkerThreads: false,
      workerForkOptions: { env: { ...process.env, [SETTINGS_ENV]: JSON.stringify(settings) } },
    },
  );
  const outage = outageLogger(options.queue, log, 'queue');
  worker.on('error', outage.error);
  worker.getBackend().on('ready', outage.ready);
  worker.on('failed', (job, error) => {
    if (!job) return;
    const tries = job.opts.attempts ?? ATTEMPTS;
    const again =
      error.name !== 'UnrecoverableError' && job.attemptsMade < tries
        ? `; tried again in ${Math.round((job.delay ?? 0) / 1000)} s`
        : ' for good';
    log(`${job.name} failed${again}: ${error.message}`);
  });
  const refused = new Promise<string>((resolve) => {
    worker.on('progress', (job, value) => {
      const progress = value as RunJobProgress;
      if (typeof progress === 'object' && progress.kind === 'refused') {
        // stop taking jobs that this worker cannot run; the refused one is back in the queue
        void worker.close();
        resolve(`${job.name}: ${progress.reason}`);
      }
    });
  });
  return { name, refused, close: () => worker.close() };
}
