import type { OptimizerCase } from './cases.js';
import type { Measurement } from './measure.js';

/** A measurement with its ratio to the baseline optimizer (same backend, model, batch). */
export interface Row extends Measurement {
  /** e.g. `linbreg/sgd`; absent for a baseline. */
  ratioName?: string;
  /** This step time over the baseline's. */
  ratio?: number;
}

/** Adds the LinBreg/SGD and AdaBreg/Adam ratios. */
export function withRatios(results: Measurement[], optimizers: OptimizerCase[]): Row[] {
  return results.map((r) => {
    const baseline = optimizers.find((o) => o.name === r.optimizer)?.baseline;
    const base = results.find(
      (b) =>
        b.optimizer === baseline &&
        b.backend === r.backend &&
        b.model === r.model &&
        b.batchSize === r.batchSize,
    );
    return base
      ? { ...r, ratioName: `${r.optimizer}/${baseline}`, ratio: r.msPerStep / base.msPerStep }
      : { ...r };
  });
}

/** The markdown table of the results. */
export function markdownTable(rows: Row[]): string {
  const lines = [
    '| backend | model | batch | optimizer | ms/step (median) | samples/s | ratio |',
    '|---|---|---:|---|---:|---:|---|',
  ];
  for (const r of rows) {
    const ratio = r.ratio === undefined ? '' : `${r.ratioName} = ${r.ratio.toFixed(3)}`;
    lines.push(
      `| ${r.backend} | ${r.model} | ${r.batchSize} | ${r.optimizer} | ${r.msPerStep.toFixed(2)} | ${r.samplesPerSecond.toFixed(0)} | ${ratio} |`,
    );
  }
  return lines.join('\n');
}
