import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GroupL12, L1 } from '@bregman/core-prox';
import { convNet, SparseAwareStep } from '@bregman/models';
import { LinBreg, rulesForModel } from '@bregman/optimizers';
import * as tf from '@tensorflow/tfjs';
import { trainingLoss } from './cases.js';
import { median } from './median.js';
import { timeInterleaved } from './timing.js';

/** The Table 2 LinBreg run whose conv densities `--sparse-aware` takes by default. */
export const TABLE2_RECORD = fileURLToPath(
  new URL('../../../docs/results/table2/runs/linbreg-group-s1.json', import.meta.url),
);

/** The distinct non-zero fractions of the conv kernels (`nConv`) over a run record's epochs. */
export function convDensities(recordPath: string): number[] {
  let record: { epochs?: Array<{ nConv?: number | null }> };
  try {
    record = JSON.parse(readFileSync(recordPath, 'utf8'));
  } catch (error) {
    throw new Error(`--sparse-aware: cannot read the run record ${recordPath}: ${String(error)}`);
  }
  const values = (record.epochs ?? []).flatMap((e) =>
    typeof e.nConv === 'number' ? [e.nConv] : [],
  );
  if (values.length === 0) throw new Error(`--sparse-aware: ${recordPath} has no epoch with nConv`);
  return [...new Set(values.map((v) => Number(v.toPrecision(4))))].sort((a, b) => a - b);
}

/** One `--sparse-aware` row: the dense and the live-unit LinBreg step at one density. */
export interface SparseAwareRow {
  backend: string;
  model: 'convNet';
  batchSize: number;
  /** Non-zero fraction of the conv kernels (kernel groups) and of the Dense weights. */
  density: number;
  /** Per Dense / Conv2D layer: `varying+gradient-only/units` computed at the first step. */
  live: string;
  /** Estimated multiply–adds of the live step over the dense one's. */
  costRatio: number;
  denseMs: number;
  sparseAwareMs: number;
  /** `denseMs / sparseAwareMs`. */
  sparseAwareSpeedup: number;
  /**
   * After the same steps from the same weights: the largest difference between the dense
   * and the sparse-aware run's weights over the largest weight (float32 summation order
   * only; a wrong gradient shows as ≥ 1e-3).
   */
  weightDifference: number;
}

/**
 * Times LinBreg steps (Table 2's λ = 0.05: group ℓ1,2 on the conv kernels, ℓ1 on the Dense
 * ones) of the paper's ConvNet, dense and through `SparseAwareStep`, interleaved, from the
 * same weights: the sparse initialization at `density` (conv kernels kept as whole 5×5
 * groups, positive biases), one fixed batch.
 */
export async function measureSparseAware(
  densities: number[],
  batchSize: number,
  timing: { steps: number; warmup: number },
): Promise<SparseAwareRow[]> {
  const rows: SparseAwareRow[] = [];
  for (const density of densities) {
    const build = () =>
      convNet({ init: { density, groups: { conv: 'kernel' }, gain: 0.5, seed: 1 } });
    const x = tf.randomNormal([batchSize, 28, 28, 1], 0, 1, 'float32', 1);
    const y = tf.tidy(() => tf.oneHot(tf.randomUniform([batchSize], 0, 10, 'int32', 2), 10));
    const loss = (out: tf.Tensor) => trainingLoss(y, out);
    const runs = (['dense', 'sparse'] as const).map((mode) => {
      const model = build();
      const rules = rulesForModel(model, {
        dense: new L1({ lambda: 0.05 }),
        conv: new GroupL12({ lambda: 0.05, reduceAxes: [0, 1] }),
      });
      const optimizer = new LinBreg({ learningRate: 0.1, rules });
      return { model, optimizer, step: new SparseAwareStep(model, { mode }) };
    });
    const sparseStep = runs[1]!.step;
    const live = await sparseStep.liveUnits();
    const costRatio = sparseStep.costRatio(live, batchSize);
    const names = runs[1]!.model.layers
      .filter((l) => ['Dense', 'Conv2D'].includes(l.getClassName()))
      .map((l) => l.name);
    const times = await timeInterleaved(
      runs.map(({ step, optimizer }) => async () => {
        const { value, output } = await step.minimize(optimizer, x, loss);
        await value.data();
        tf.dispose([value, output]);
      }),
      timing,
    );
    const [denseMs, sparseAwareMs] = times.map(median) as [number, number];
    const weightDifference = await relativeDifference(runs[0]!.model, runs[1]!.model);
    rows.push({
      backend: tf.getBackend(),
      model: 'convNet',
      batchSize,
      density,
      live: live
        .map((l, k) => {
          const units = runs[1]!.model.getLayer(names[k]!).outputShape.at(-1);
          return `${names[k]} ${l.outputs.length}+${l.gradientOutputs.length}/${String(units)}`;
        })
        .join(', '),
      costRatio,
      denseMs,
      sparseAwareMs,
      sparseAwareSpeedup: denseMs / sparseAwareMs,
      weightDifference,
    });
    for (const { model, optimizer } of runs) {
      optimizer.dispose();
      model.dispose();
    }
    tf.dispose([x, y]);
  }
  return rows;
}

/** `max |a − b| / max |a|` over the trainable weights of two models of the same shape. */
async function relativeDifference(a: tf.LayersModel, b: tf.LayersModel): Promise<number> {
  let difference = 0;
  let scale = 0;
  for (const [i, w] of a.trainableWeights.entries()) {
    const [va, vb] = await Promise.all([w.read().data(), b.trainableWeights[i]!.read().data()]);
    for (let j = 0; j < va.length; j++) {
      difference = Math.max(difference, Math.abs(va[j]! - vb[j]!));
      scale = Math.max(scale, Math.abs(va[j]!));
    }
  }
  return difference / scale;
}

/** The `--sparse-aware` rows as a markdown table. */
export function sparseAwareTable(rows: readonly SparseAwareRow[]): string {
  const lines = [
    '| backend | model | batch | density | live units (varying+gradient-only/all) | cost ratio | dense ms | sparse-aware ms | speedup | weights apart |',
    '|---|---|---:|---:|---|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.backend} | ${r.model} | ${r.batchSize} | ${(100 * r.density).toFixed(2)}% | ${r.live} | ${r.costRatio.toFixed(3)} | ${r.denseMs.toFixed(1)} | ${r.sparseAwareMs.toFixed(1)} | ${r.sparseAwareSpeedup.toFixed(2)}× | ${r.weightDifference.toExponential(1)} |`,
    );
  }
  return lines.join('\n');
}
