import type { RunEvent } from '../training/run-events.js';
import type { RunJobProgress } from './run-job.js';

/**
 * Turns the progress that workers write into their jobs (polled by the planner) back into
 * the run events of `pnpm repro`'s progress display, each event once. A new try of a run
 * (another worker, or a retry) starts over with that try's events and is announced with
 * `onTry`. A failed try's `end` event is held back: whether the run failed for good shows
 * only in its job's final state ({@link ProgressFeed.end}).
 */
export class ProgressFeed {
  private readonly seen = new Map<string, { attempt: string; fed: number; ended: boolean }>();

  /**
   * @param onEvent - the progress display
   * @param onTry - called when a worker starts a try of a run
   */
  constructor(
    private readonly onEvent: (event: RunEvent) => void,
    private readonly onTry: (jobId: string, worker: string, attempt: number) => void,
  ) {}

  /** Takes a job's progress as polled now. */
  update(jobId: string, progress: RunJobProgress | undefined): void {
    if (progress?.kind !== 'training') return;
    const attempt = `${progress.worker}#${progress.attempt}`;
    let state = this.seen.get(jobId);
    if (state?.attempt !== attempt) {
      state = { attempt, fed: 0, ended: false };
      this.seen.set(jobId, state);
      this.onTry(jobId, progress.worker, progress.attempt);
    }
    const steps = progress.events.filter((e) => e.type !== 'batch');
    for (const event of steps.slice(state.fed)) {
      if (event.type === 'end' && event.status === 'failed') continue;
      if (event.type === 'end') state.ended = true;
      this.onEvent(event);
    }
    state.fed = steps.length;
    const last = progress.events.at(-1);
    if (last?.type === 'batch') this.onEvent(last);
  }

  /**
   * Ends a run whose job has finished, unless its `end` event was shown already. A run none
   * of whose events was seen (it ran while the planner was cut off from Redis) is named by
   * `label` (`<experiment>/<run id>`), which the display has not learnt from a `start`.
   */
  end(jobId: string, event: Extract<RunEvent, { type: 'end' }>, label: string): void {
    const state = this.seen.get(jobId);
    if (state?.ended) return;
    this.seen.set(jobId, { attempt: '', fed: 0, ended: true });
    this.onEvent(state ? event : { ...event, runId: label });
  }
}
