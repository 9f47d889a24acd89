import type { EpochRecord, RunRecord } from '../storage/run-record.js';
import type { CurveField } from './experiment.js';

/** Mean and (sample) standard deviation of numbers; std 0 for a single value. */
export interface MeanStd {
  /** Mean. */
  mean: number;
  /** Sample standard deviation (n − 1); 0 when n = 1. */
  std: number;
  /** How many values. */
  n: number;
}

/** Mean and sample standard deviation of the finite numbers in `values`. */
export function meanStd(values: ReadonlyArray<number | null | undefined>): MeanStd {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const n = xs.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN, n: 0 };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(variance), n };
}

/** One point of a mean ± std curve. */
export interface CurvePoint extends MeanStd {
  /** The epoch. */
  epoch: number;
}

/** The per-epoch mean ± std of `field` over runs (epochs where no run has a value are left out). */
export function curve(runs: readonly RunRecord[], field: CurveField): CurvePoint[] {
  const epochs = new Map<number, Array<number | null>>();
  for (const run of runs) {
    for (const entry of run.epochs) {
      const list = epochs.get(entry.epoch) ?? [];
      list.push(entry[field] as number | null);
      epochs.set(entry.epoch, list);
    }
  }
  return [...epochs.entries()]
    .sort(([a], [b]) => a - b)
    .map(([epoch, values]) => ({ epoch, ...meanStd(values) }))
    .filter((p) => p.n > 0);
}

/** The value of `field` at `epoch` (mean over runs), or NaN. */
export function meanAt(
  runs: readonly RunRecord[],
  field: keyof EpochRecord,
  epoch: number,
): number {
  return meanStd(runs.map((r) => r.epochs.find((e) => e.epoch === epoch)?.[field] as number)).mean;
}

/** The last epoch every run reached. */
export function lastCommonEpoch(runs: readonly RunRecord[]): number {
  return Math.min(...runs.map((r) => r.epochs.at(-1)?.epoch ?? 0));
}
