import type { RunSpec } from '../shared/spec.js';
import type { RunPaths } from '../storage/plan.js';
import type { RunEvent } from '../training/run-events.js';

/** Options every run of an invocation shares. */
export interface SharedRunOptions {
  /** Continue from checkpoints. */
  resume: boolean;
  /** `--data-dir`. */
  dataDir?: string;
  /** `--backend`. */
  backend?: string;
  /** Threads per run (`--threads`). */
  threads: number;
  /** `--sparse-aware`. */
  sparseAware?: boolean;
}

/** Parent → worker. */
export type ToWorker =
  | { type: 'init'; options: SharedRunOptions }
  | { type: 'run'; spec: RunSpec; paths: RunPaths; resume: boolean }
  | { type: 'exit' };

/** Worker → parent. */
export type FromWorker =
  | { type: 'ready'; backend: string }
  | { type: 'failed'; error: string }
  | { type: 'event'; event: RunEvent }
  | {
      type: 'result';
      runId: string;
      status: 'done' | 'failed';
      error?: string;
      /** The failure was one of writing results (disk full…): no further run starts. */
      storage?: boolean;
    };
