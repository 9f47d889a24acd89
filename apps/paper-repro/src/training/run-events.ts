import type { EpochRecord } from '../storage/run-record.js';

/** What a run reports while it trains (to the progress display, across processes). */
export type RunEvent =
  | { type: 'start'; runId: string; experiment: string; epochs: number; fromEpoch: number }
  | { type: 'batch'; runId: string; epoch: number; batch: number; batches: number }
  | { type: 'epoch'; runId: string; record: EpochRecord }
  | { type: 'end'; runId: string; status: 'done' | 'stopped' | 'failed'; message?: string };
