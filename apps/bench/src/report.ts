import type { Agreement } from './agreement.js';
import type { OptimizerCase } from './cases.js';
import type { Measurement } from './measure.js';
import type { ParallelMeasurement } from './parallel.js';

/** A measurement with its ratio to the baseline optimizer (same backend, model, batch). */
export interface Row extends Measurement {
  /** e.g. `linbreg/sgd`; absent for a baseline. */
  ratioName?: string;
  /** This step time over the baseline's. */
  ratio?: number;
  /**
   * The step's GFLOP/s over the backend's matMul GFLOP/s timed in the same rounds
   * (`matMul`): a figure that holds from machine to machine (1 = the step runs at matMul
   * speed).
   */
  efficiency: number;
  /** The step's GFLOP/s over the SIMD GEMM's (`simdMatMul`), where timed. */
  simdEfficiency?: number;
  /**
   * With `threads` > 1: the same optimizer's step time on 1 thread (same rounds) over this
   * one's, medians: the speedup of the threads.
   */
  threadsSpeedup?: number;
}

/** Adds the LinBreg/SGD and AdaBreg/Adam ratios and the efficiencies. */
export function withRatios(results: Measurement[], optimizers: OptimizerCase[]): Row[] {
  return results.map((measured) => {
    const r = {
      ...measured,
      efficiency: measured.gflops / measured.matMul.gflops,
      ...(measured.simdMatMul
        ? { simdEfficiency: measured.gflops / measured.simdMatMul.gflops }
        : {}),
    };
    const baseline = optimizers.find((o) => o.name === r.optimizer)?.baseline;
    const same = (b: Measurement) =>
      b.backend === r.backend && b.model === r.model && b.batchSize === r.batchSize;
    const base = results.find(
      (b) => same(b) && b.optimizer === baseline && b.threads === r.threads,
    );
    const one =
      r.threads > 1
        ? results.find((b) => same(b) && b.optimizer === r.optimizer && b.threads === 1)
        : undefined;
    return {
      ...r,
      ...(base
        ? { ratioName: `${r.optimizer}/${baseline}`, ratio: r.msPerStep / base.msPerStep }
        : {}),
      ...(one ? { threadsSpeedup: one.msPerStep / r.msPerStep } : {}),
    };
  });
}

/** The markdown table of the results. */
export function markdownTable(rows: Row[]): string {
  const lines = [
    '| backend | model | batch | optimizer | threads | ms/step (median) | samples/s | GFLOP/s | matMul GFLOP/s | efficiency | SIMD GEMM GFLOP/s | ÷ SIMD GEMM | ratio | speedup over 1 thread |',
    '|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|',
  ];
  for (const r of rows) {
    const ratio = r.ratio === undefined ? '' : `${r.ratioName} = ${r.ratio.toFixed(3)}`;
    const gemm = r.simdMatMul ? r.simdMatMul.gflops.toFixed(1) : '–';
    const gemmEfficiency = r.simdEfficiency === undefined ? '–' : r.simdEfficiency.toFixed(2);
    lines.push(
      `| ${r.backend} | ${r.model} | ${r.batchSize} | ${r.optimizer} | ${r.threads} | ${r.msPerStep.toFixed(2)} | ${r.samplesPerSecond.toFixed(0)} | ${r.gflops.toFixed(1)} | ${r.matMul.gflops.toFixed(1)} | ${r.efficiency.toFixed(2)} | ${gemm} | ${gemmEfficiency} | ${ratio} | ${r.threadsSpeedup === undefined ? '–' : r.threadsSpeedup.toFixed(2)} |`,
    );
  }
  return lines.join('\n');
}

/** A data-parallel measurement with its speedup over one worker (same model, batch, optimizer). */
export interface ParallelRow extends ParallelMeasurement {
  /** One worker's step time over this one's (medians). */
  speedup: number;
  /** One worker's mean step time over this one's: the speedup of a training. */
  speedupOfMean: number;
  /** `speedup / workers`: 1 is perfect scaling. */
  scaling: number;
  /** GFLOP/s over `workers ×` one thread's matMul GFLOP/s timed in the same rounds. */
  efficiency: number;
}

/** Adds the speedup over the one-worker run of the same group, and the efficiencies. */
export function withSpeedups(group: ParallelMeasurement[]): ParallelRow[] {
  const one = group.find((g) => g.workers === 1);
  return group.map((g) => {
    const speedup = one ? one.msPerStep / g.msPerStep : Number.NaN;
    return {
      ...g,
      speedup,
      speedupOfMean: one ? one.msPerStepMean / g.msPerStepMean : Number.NaN,
      scaling: speedup / g.workers,
      efficiency: g.gflops / (g.workers * g.matMul.gflops),
    };
  });
}

/** The markdown table of the data-parallel results. */
export function parallelTable(rows: ParallelRow[]): string {
  const lines = [
    '| backend | model | batch | optimizer | workers | ms/step (median) | samples/s | speedup | speedup ÷ workers | efficiency per core | ms/step (mean) | speedup of the mean |',
    '|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.backend} | ${r.model} | ${r.batchSize} | ${r.optimizer} | ${r.workers} | ${r.msPerStep.toFixed(2)} | ${r.samplesPerSecond.toFixed(0)} | ${r.speedup.toFixed(2)} | ${r.scaling.toFixed(2)} | ${r.efficiency.toFixed(2)} | ${r.msPerStepMean.toFixed(2)} | ${r.speedupOfMean.toFixed(2)} |`,
    );
  }
  return lines.join('\n');
}

/** The `--agreement` rows as a markdown table. */
export function agreementTable(rows: readonly Agreement[]): string {
  const lines = [
    '| backend vs cpu | model | optimizer | steps (batch) | max relative difference | support mismatches |',
    '|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.backend} | ${r.model} | ${r.optimizer} | ${r.steps} (${r.batchSize}) | ${r.maxRelativeDifference.toExponential(2)} | ${r.supportMismatches} of ${r.entries} |`,
    );
  }
  return lines.join('\n');
}
