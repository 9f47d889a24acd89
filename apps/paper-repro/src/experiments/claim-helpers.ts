import type { RunRecord } from '../storage/run-record.js';
import { curve, lastCommonEpoch, meanAt, meanStd } from './aggregate.js';
import type { ClaimVerdict, CurveField, ExperimentRuns } from './experiment.js';

/** A share in [0, 1] as a percentage with one decimal. */
export function pct(x: number): string {
  return Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : 'n/a';
}

/** A difference of shares in percentage points, signed. */
export function points(x: number): string {
  return `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(2)} pt`;
}

/** The runs of one method, or undefined when it has none. */
export function runsOf(runs: ExperimentRuns, methodId: string): RunRecord[] | undefined {
  const found = runs.methods.find((m) => m.method.id === methodId);
  return found && found.runs.length > 0 ? found.runs : undefined;
}

/** The label of a method. */
export function labelOf(runs: ExperimentRuns, methodId: string): string {
  return runs.methods.find((m) => m.method.id === methodId)?.method.label ?? methodId;
}

/** `not measured`, naming the methods without runs. */
export function notMeasured(missing: string[]): ClaimVerdict {
  return { verdict: 'not measured', evidence: `no finished runs of ${missing.join(', ')}` };
}

/** Runs the check with the runs of every named method, or says which are missing. */
export function withRuns(
  runs: ExperimentRuns,
  methodIds: string[],
  check: (...runs: RunRecord[][]) => ClaimVerdict,
): ClaimVerdict {
  const found = methodIds.map((id) => runsOf(runs, id));
  const missing = methodIds.filter((_, i) => !found[i]);
  return missing.length > 0 ? notMeasured(missing) : check(...(found as RunRecord[][]));
}

/** Mean over seeds of the best validation accuracy (the kept model's). */
export function bestValidation(runs: readonly RunRecord[]): number {
  return meanStd(runs.map((r) => r.best?.validationAccuracy)).mean;
}

/** Mean over seeds of `field` at the last epoch all runs reached. */
export function final(runs: readonly RunRecord[], field: CurveField): number {
  return meanAt(runs, field, lastCommonEpoch(runs));
}

/** How many times the mean curve of `field` falls by more than `tolerance` from one epoch to the next. */
export function drops(runs: readonly RunRecord[], field: CurveField, tolerance: number): number {
  const means = curve(runs, field).map((p) => p.mean);
  let count = 0;
  for (let i = 1; i < means.length; i++) if (means[i]! < means[i - 1]! - tolerance) count++;
  return count;
}

/** The verdict word for a condition. */
export function verdict(holds: boolean): ClaimVerdict['verdict'] {
  return holds ? 'holds' : 'does not hold';
}
