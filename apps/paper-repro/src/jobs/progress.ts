import { duration } from '../render/text.js';
import type { EpochRecord } from '../storage/run-record.js';
import type { RunEvent } from '../training/run-events.js';

interface Active {
  label: string;
  epochs: number;
  fromEpoch: number;
  epoch: number;
  fraction: number;
  started: number;
  last?: EpochRecord;
}

/**
 * Shows the progress of the runs: on a terminal one live bar per active run (epoch, ETA,
 * validation accuracy and share of non-zero weights), redrawn in place; otherwise one
 * plain line per finished epoch.
 */
export class Progress {
  private readonly active = new Map<string, Active>();
  private drawn = 0;
  private lastDraw = 0;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly live = Boolean(out.isTTY),
  ) {}

  /** Takes one event of a run. */
  handle(event: RunEvent): void {
    const id = event.runId;
    if (event.type === 'start') {
      this.active.set(id, {
        label: `${event.experiment}/${id}`,
        epochs: event.epochs,
        fromEpoch: event.fromEpoch,
        epoch: event.fromEpoch,
        fraction: 0,
        started: performance.now(),
      });
      if (!this.live) {
        const from = event.fromEpoch > 0 ? ` (resumed after epoch ${event.fromEpoch})` : '';
        this.print(`${event.experiment}/${id}: start, ${event.epochs} epochs${from}`);
      }
    } else if (event.type === 'batch') {
      const run = this.active.get(id);
      if (run) run.fraction = event.batch / event.batches;
    } else if (event.type === 'epoch') {
      const run = this.active.get(id);
      if (!run) return;
      run.epoch = event.record.epoch;
      run.fraction = 0;
      run.last = event.record;
      if (!this.live) this.print(`${run.label}: ${this.describe(run)}`);
    } else {
      const run = this.active.get(id);
      this.active.delete(id);
      const what = event.status === 'failed' ? `FAILED: ${event.message}` : event.status;
      this.print(
        `${run?.label ?? id}: ${what}${run?.last ? ` — ${this.describe(run)}` : ''}`,
        true,
      );
    }
    if (this.live) this.draw(event.type === 'batch');
  }

  private describe(run: Active): string {
    const r = run.last;
    const parts = [`epoch ${run.epoch}/${run.epochs}`];
    if (r) {
      parts.push(
        r.validationAccuracy === null
          ? `val loss ${r.validationLoss.toFixed(4)}`
          : `val ${(100 * r.validationAccuracy).toFixed(2)}%`,
      );
      parts.push(`non-zero ${(100 * r.nTotal).toFixed(2)}%`);
      if (r.trainLoss !== null) parts.push(`loss ${r.trainLoss.toFixed(4)}`);
      parts.push(`${r.seconds.toFixed(1)} s`);
    }
    return parts.join(', ');
  }

  private eta(run: Active): string {
    const done = run.epoch - run.fromEpoch + run.fraction;
    if (done <= 0) return '…';
    const perEpoch = (performance.now() - run.started) / 1000 / done;
    return duration(perEpoch * (run.epochs - run.epoch - run.fraction));
  }

  private draw(throttle: boolean): void {
    const now = performance.now();
    if (throttle && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const width = 20;
    const lines = [...this.active.values()].map((run) => {
      const share = Math.min(1, (run.epoch + run.fraction) / run.epochs);
      const filled = Math.round(share * width);
      const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
      return `${run.label} ${bar} ${this.describe(run)}, ETA ${this.eta(run)}`;
    });
    this.clear();
    for (const line of lines) this.out.write(`${line}\n`);
    this.drawn = lines.length;
  }

  private clear(): void {
    if (this.drawn > 0) this.out.write(`\x1b[${this.drawn}A\x1b[0J`);
    this.drawn = 0;
  }

  private print(line: string, keep = false): void {
    if (this.live) this.clear();
    if (this.live && !keep) return;
    this.out.write(`${line}\n`);
  }
}
