import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { table2 } from '@bregman/paper-repro/dist/experiments/table2.js';
import type { ProfileName } from '@bregman/paper-repro/dist/shared/spec.js';
import { runPaths } from '@bregman/paper-repro/dist/storage/plan.js';
import { trainRun } from '@bregman/paper-repro/dist/training/train-run.js';
import * as tf from '@tensorflow/tfjs';

/** The Table 2 row that `--end-to-end` trains: LinBreg with group sparsity on the conv kernels. */
export const END_TO_END_METHOD = 'linbreg-group';

/** One whole Table 2 LinBreg run, trained with the dense or the sparse-aware step. */
export interface EndToEndRun {
  /** The repro profile (its epochs and data). */
  profile: ProfileName;
  /** The run's seed. */
  seed: number;
  /** `dense`, or `sparse-aware` (`pnpm repro --sparse-aware`). */
  step: 'dense' | 'sparse-aware';
  /** Epochs trained. */
  epochs: number;
  /** Wall time of the whole run: data, training, per-epoch evaluation, final analyses (s). */
  wallSeconds: number;
  /** The record's `trainSeconds`: the epochs' training and evaluation (s). */
  trainSeconds: number;
  /** Test accuracy of the kept model (what Table 2 reports). */
  testAccuracy: number | null;
  /** N_conv and N_linear of the kept model. */
  nConv: number | null;
  nLinear: number | null;
  /** Share of the steps computed on the live units (0 for the dense step). */
  sparseSteps: number;
  /** Per epoch (1, 2, …): its wall time (s), training and evaluation. */
  epochSeconds: number[];
  /** Per epoch: N_conv at its end. */
  epochNConv: Array<number | null>;
}

/** `--end-to-end`: the runs, and the speedup of the whole runs' wall time. */
export interface EndToEnd {
  runs: EndToEndRun[];
  /** Σ dense wall time ÷ Σ sparse-aware wall time, over the same seeds. */
  endToEndSpeedup: number;
}

/**
 * Trains Table 2's LinBreg run of a repro profile (`seeds` seeds; `epochs` instead of the
 * profile's, when given) with the dense step and
 * with the sparse-aware step, one after the other per seed, each in a fresh temporary
 * results directory (removed afterwards), on the backend that is active.
 */
export async function measureEndToEnd(
  profile: ProfileName,
  seeds: number,
  progress: (line: string) => void,
  epochs?: number,
): Promise<EndToEnd> {
  const specs = table2
    .runs(profile, seeds)
    .filter((s) => s.method.id === END_TO_END_METHOD)
    .map((s) => (epochs === undefined ? s : { ...s, epochs }));
  const runs: EndToEndRun[] = [];
  for (const spec of specs) {
    for (const step of ['dense', 'sparse-aware'] as const) {
      const dir = mkdtempSync(join(tmpdir(), 'bench-end-to-end-'));
      try {
        const start = performance.now();
        const record = await trainRun(spec, runPaths(dir, spec), {
          resume: false,
          backend: tf.getBackend(),
          ...(step === 'sparse-aware' ? { sparseAware: true } : {}),
        });
        const wallSeconds = (performance.now() - start) / 1000;
        const shares = record.epochs.flatMap((e) => e.sparseSteps ?? []);
        const run: EndToEndRun = {
          profile,
          seed: spec.seed,
          step,
          epochs: record.epochs.length - 1,
          wallSeconds,
          trainSeconds: record.trainSeconds,
          testAccuracy: record.best?.testAccuracy ?? null,
          nConv: record.best?.nConv ?? null,
          nLinear: record.best?.nLinear ?? null,
          sparseSteps: shares.length === 0 ? 0 : shares.reduce((a, b) => a + b, 0) / shares.length,
          epochSeconds: record.epochs.slice(1).map((e) => e.seconds),
          epochNConv: record.epochs.slice(1).map((e) => e.nConv),
        };
        runs.push(run);
        progress(
          `table2 ${END_TO_END_METHOD} s${spec.seed} ${step}: ${wallSeconds.toFixed(1)} s, test ${((run.testAccuracy ?? 0) * 100).toFixed(2)}%`,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  const total = (step: EndToEndRun['step']) =>
    runs.filter((r) => r.step === step).reduce((a, r) => a + r.wallSeconds, 0);
  return { runs, endToEndSpeedup: total('dense') / total('sparse-aware') };
}

/** The `--end-to-end` runs as a markdown table. */
export function endToEndTable(result: EndToEnd): string {
  const pct = (v: number | null) => (v === null ? '–' : `${(100 * v).toFixed(2)}%`);
  const lines = [
    '| profile | seed | step | epochs | wall s | train + eval s | test acc. | N_conv | N_linear | steps on live units |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of result.runs) {
    lines.push(
      `| ${r.profile} | ${r.seed} | ${r.step} | ${r.epochs} | ${r.wallSeconds.toFixed(1)} | ${r.trainSeconds.toFixed(1)} | ${pct(r.testAccuracy)} | ${pct(r.nConv)} | ${pct(r.nLinear)} | ${(100 * r.sparseSteps).toFixed(0)}% |`,
    );
  }
  lines.push(
    '',
    `End to end: ${result.endToEndSpeedup.toFixed(2)}× (dense wall time ÷ sparse-aware)`,
  );
  return lines.join('\n');
}
