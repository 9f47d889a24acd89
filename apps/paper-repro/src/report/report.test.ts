import { describe, expect, it } from 'vitest';
import { curve, meanStd } from '../experiments/aggregate.js';
import type { ExperimentRuns } from '../experiments/experiment.js';
import { fig2 } from '../experiments/fig2.js';
import { fig3 } from '../experiments/fig3.js';
import { table1 } from '../experiments/table1.js';
import { duration, markdownTable } from '../render/text.js';
import type { EpochRecord, RunRecord } from '../storage/run-record.js';
import { curveRows } from './figures.js';
import { percentMeanStd } from './format.js';
import {
  claimsTable,
  commandTime,
  finalTable,
  groupRuns,
  paperTable,
  renderReport,
  stepLine,
} from './report.js';

/**
 * A finished record of run `<runId>-s<seed>` (of Fig. 2 unless `experiment` says otherwise)
 * whose curves are given per epoch: the train accuracy after epochs 1, 2, …; the validation
 * accuracy and the share of non-zero weights from epoch 0 (initialization) on.
 */
function record(
  runId: string,
  seed: number,
  train: number[],
  val: number[],
  nz: number[],
  experiment = fig2,
): RunRecord {
  const spec = experiment.runs('smoke').find((s) => s.runId === `${runId}-s1`)!;
  const epochs: EpochRecord[] = val.map((v, epoch) => ({
    epoch,
    trainLoss: epoch === 0 ? null : 1 / (epoch + 1),
    trainAccuracy: epoch === 0 ? null : train[epoch - 1]!,
    validationLoss: 1,
    validationAccuracy: v,
    testLoss: 1,
    testAccuracy: v - 0.01,
    nTotal: nz[epoch]!,
    nLinear: nz[epoch]!,
    nConv: null,
    activeNeurons: [200, 80, 10],
    l1Norm: 1000 * nz[epoch]!,
    lambda: 0.1,
    learningRate: 0.1,
    seconds: 1,
  }));
  const best = epochs.reduce((a, b) => (b.validationAccuracy! > a.validationAccuracy! ? b : a));
  return {
    format: 1,
    key: 'k',
    spec: { ...spec, seed, runId: `${runId}-s${seed}` },
    status: 'done',
    backend: 'cpu',
    epochs,
    best: { ...best, trainAccuracy: best.trainAccuracy },
    trainSeconds: epochs.length,
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T00:01:00Z',
  };
}

const GOOD: ExperimentRuns = groupRuns([
  record('sgd', 1, [0.9, 0.95, 0.97], [0.1, 0.95, 0.97, 0.98], [0.01, 1, 1, 1]),
  record('sgd', 2, [0.9, 0.95, 0.97], [0.1, 0.95, 0.97, 0.98], [0.01, 1, 1, 1]),
  record('linbreg-l0.001', 1, [0.9, 0.95, 0.97], [0.1, 0.95, 0.97, 0.979], [0.01, 0.5, 0.7, 0.8]),
  record('linbreg-l0.01', 1, [0.9, 0.95, 0.96], [0.1, 0.95, 0.97, 0.978], [0.01, 0.2, 0.3, 0.3]),
  record('linbreg-l0.1', 1, [0.8, 0.9, 0.95], [0.1, 0.9, 0.97, 0.976], [0.01, 0.05, 0.08, 0.1]),
  record('proxgd-l0.0001', 1, [0.9, 0.85, 0.9], [0.1, 0.9, 0.8, 0.95], [0.01, 0.9, 0.5, 0.4]),
]);

describe('aggregation', () => {
  it('meanStd: mean and sample standard deviation of the finite values', () => {
    expect(meanStd([1, 2, 3, null, Number.NaN])).toEqual({ mean: 2, std: 1, n: 3 });
    expect(meanStd([5])).toEqual({ mean: 5, std: 0, n: 1 });
    expect(meanStd([]).n).toBe(0);
  });

  it('curve: per-epoch mean ± std over seeds; epochs without values are left out', () => {
    const sgd = GOOD.methods[0]!.runs;
    expect(curve(sgd, 'trainAccuracy').map((p) => p.epoch)).toEqual([1, 2, 3]);
    expect(curve(sgd, 'nTotal')[0]).toEqual({ epoch: 0, mean: 0.01, std: 0, n: 2 });
  });

  it('figure rows: one per method × panel × epoch, percentages scaled to 0–100', () => {
    const rows = curveRows(fig2.figures[0]!, GOOD);
    expect(
      rows
        .filter((r) => r.method === 'SGD' && r.panel === 'non-zero weights (%)')
        .map((r) => r.mean),
    ).toEqual([1, 100, 100, 100]);
    expect(rows.find((r) => r.panel === 'ℓ1 norm of the weights')?.mean).toBe(10);
  });
});

describe('claims and tables', () => {
  it('fig2: every claim holds on runs that behave as the paper says', () => {
    const table = claimsTable(
      fig2,
      GOOD,
      fig2.claims.map((c) => c.text),
    );
    expect(table.match(/\*\*holds\*\*/g)).toHaveLength(5);
    expect(table).toContain("SGD's non-zero weights: 1.0% at initialization, 100.0% after epoch 1");
    expect(table).toContain('ProxGD: train accuracy falls 1×, the share of non-zeros falls 2×');
    expect(table).not.toContain('not in paper-results.json');
  });

  it('fig2: a claim the runs contradict does not hold; a missing method is not measured', () => {
    const dense = groupRuns([
      ...GOOD.methods
        .flatMap((m) => m.runs)
        .filter((r) => !r.spec.method.id.startsWith('linbreg-l0.1')),
      record('linbreg-l0.1', 1, [0.8, 0.7, 0.9], [0.1, 0.5, 0.6, 0.7], [0.01, 0.3, 0.4, 0.5]),
    ]);
    const verdicts = fig2.claims.map((c) => c.check(dense).verdict);
    expect(verdicts).toEqual(['holds', 'does not hold', 'holds', 'holds', 'does not hold']);
    const noProx = groupRuns(
      GOOD.methods.flatMap((m) => m.runs).filter((r) => r.spec.method.optimizer.kind !== 'proxgd'),
    );
    expect(fig2.claims[2]!.check(noProx)).toEqual({
      verdict: 'not measured',
      evidence: 'no finished runs of proxgd-l0.0001',
    });
    expect(claimsTable(fig3, { methods: [] }, [])).toContain('(not in paper-results.json)');
  });

  it('the final table: mean ± std per method in percent', () => {
    const table = finalTable(GOOD);
    expect(table.split('\n')[0]).toBe(
      '| method | seeds | best val. acc. (%) / loss | test acc. of that model (%) | train acc. at end (%) | non-zero weights at end (%) | ℓ1 norm at end | final LR |',
    );
    expect(table).toContain(
      '| SGD | 2 | 98.00 ± 0.00 | 97.00 ± 0.00 | 97.00 ± 0.00 | 100.00 ± 0.00 | 1000 ± 0 | 0.1 |',
    );
    expect(table).toContain('| LinBreg, λ = 0.1 | 1 | 97.60 | 96.60 | 95.00 | 10.00 | 100 | 0.1 |');
  });

  it("paper tables: our kept (or thresholded) model beside the paper's row, mean ± std over seeds", () => {
    const kept = (nTotal: number, testAccuracy: number) => ({
      testLoss: 0.3,
      testAccuracy,
      trainAccuracy: 0.95,
      trainImages: 100,
      nTotal,
      nLinear: nTotal,
      nConv: nTotal,
      activeNeurons: [],
    });
    const run = (
      method: string,
      seed: number,
      nTotal: number,
      acc: number,
      thresholded?: number,
    ) => ({
      ...record('sgd', seed, [0.9], [0.1, 0.9], [1, 1]),
      spec: {
        ...table1.runs('smoke')[0]!,
        method: { ...table1.runs('smoke')[0]!.method, id: method },
      },
      finish: {
        kept: kept(nTotal, acc),
        ...(thresholded === undefined
          ? {}
          : { thresholded: { ...kept(thresholded, acc - 0.01), epsilon: 0.1 } }),
        artifacts: [],
      },
    });
    const runs = groupRuns([
      run('adam', 1, 1, 0.9),
      run('adam', 2, 1, 0.92),
      run('lasso-sgd-l1', 1, 0.5, 0.9, 0.035),
    ]);
    const reference = [
      { density: 100, test_acc: 92.1, train_acc: 100 },
      { density: 4.7, test_acc: 89.2, train_acc: 92 },
      { density: 3.5, test_acc: 90.1, train_acc: 94.7 },
    ];
    const table = paperTable(table1.tables![0]!, runs, reference).split('\n');
    expect(table[0]).toBe(
      "| strategy | optimizer | N_total [%] ours (paper) | test acc. [%] ours (paper) | train acc. [%] ours (paper) | at the paper's point (N ±30%, test acc. ±3 pt) |",
    );
    expect(table[2]).toBe(
      '| Vanilla | Adam | 100.0 ± 0.0 (100) | 91.0 ± 1.4 (92.1) | 95.0 ± 0.0 (100) | yes |',
    );
    expect(table[3]).toBe('| Pruning (5%) | SGD | – (4.7) | – (89.2) | – (92) | – |');
    expect(table[4]).toBe(
      '| Lasso | SGD + thresh. | 3.5 (3.5) | 89.0 (90.1) | 95.0 (94.7) | yes |',
    );
  });

  it('formatting helpers', () => {
    expect(percentMeanStd({ mean: 0.9213, std: 0.0031, n: 3 })).toBe('92.1 ± 0.3');
    expect(duration(12.34)).toBe('12.3 s');
    expect(duration(185)).toBe('3 min 05 s');
    expect(duration(3725)).toBe('1 h 02 min');
    expect(duration(2700 * 3600)).toBe('2,700 h (113 days)');
    expect(markdownTable(['a', 'b|c'], [['1', '2']])).toBe(
      '| a | b\\|c |\n| --- | --- |\n| 1 | 2 |',
    );
  });

  it("the command's wall time says how many trainings it ran when others had finished before", () => {
    const context = {
      profile: 'quick' as const,
      command: 'pnpm repro --all --resume',
      wallSeconds: 185,
      backend: 'wasm',
      jobs: 2,
      threads: 1,
      referenceSource: '',
    };
    expect(commandTime({ ...context, trainings: { now: 4, before: 0 } })).toBe('3 min 05 s');
    expect(commandTime({ ...context, trainings: { now: 4, before: 127 } })).toBe(
      '3 min 05 s (it trained 4 of 131 trainings; the other 127 had finished before: each section\'s "Runs" line gives their training time)',
    );
    expect(commandTime({ ...context, trainings: { now: 0, before: 131 } })).toBe(
      '3 min 05 s (it trained none of the 131 trainings; all had finished before: each section\'s "Runs" line gives their training time)',
    );
  });

  it('failed runs are listed with their errors, never shown as "not run"', () => {
    const context = {
      profile: 'smoke' as const,
      command: 'pnpm repro fig2',
      wallSeconds: 3,
      trainings: { now: 10, before: 0 },
      backend: 'cpu',
      jobs: 1,
      threads: 1,
      referenceSource: '../shared/reference/paper-results.json',
    };
    const failed = [{ runId: 'sgd-s1', error: 'training loss is NaN in epoch 1;\n no checkpoint' }];
    const none = renderReport(
      context,
      [{ experiment: fig2, runs: groupRuns([]), planned: 10, finished: 0, figures: [], failed }],
      {},
    );
    expect(none).toContain(
      '**1 of 10 runs failed:**\n\n- `sgd-s1`: training loss is NaN in epoch 1; no checkpoint\n\nNo run finished (0 of 10).',
    );
    expect(none).not.toContain('Not run');
    const some = renderReport(
      context,
      [{ experiment: fig2, runs: GOOD, planned: 10, finished: 6, figures: [], failed }],
      {},
    );
    expect(some).toContain('**1 of 10 runs failed:**');
    expect(some).toContain('Runs: 6 of 10 finished');
    expect(some).toContain(' · 2 seeds · ');
    const oneSeed = groupRuns([
      record('sgd', 1, [0.9, 0.95, 0.97], [0.1, 0.95, 0.97, 0.98], [0.01, 1, 1, 1]),
    ]);
    expect(
      renderReport(
        context,
        [{ experiment: fig2, runs: oneSeed, planned: 1, finished: 1, figures: [], failed: [] }],
        {},
      ),
    ).toContain(' · 1 seed · ');
    expect(some).toContain('| paper numbers from | ../shared/reference/paper-results.json |');
    // an experiment's notes come before its claims (Fig. 3's on the momentum step)
    const withNotes = renderReport(
      context,
      [{ experiment: fig3, runs: GOOD, planned: 4, finished: 4, figures: [], failed: [] }],
      {},
    );
    const notesAt = withNotes.indexOf('### Why momentum need not accelerate LinBreg');
    expect(notesAt).toBeGreaterThan(0);
    expect(withNotes.indexOf("### The paper's claims")).toBeGreaterThan(notesAt);
    expect(withNotes).toContain('m ← βm + (1 − β)τg');
  });
});

describe('stepLine', () => {
  it('says which runs trained with the sparse-aware step and how many steps ran on the live units', () => {
    const dense = record('sgd', 1, [0.9], [0.1, 0.9], [0.01, 1]);
    expect(stepLine([dense])).toBeUndefined();
    const sparse = record('linbreg-l0.1', 1, [0.9, 0.9], [0.1, 0.9, 0.9], [0.01, 0.02, 0.03]);
    sparse.sparseAware = true;
    sparse.epochs[1]!.sparseSteps = 1;
    sparse.epochs[2]!.sparseSteps = 0.5;
    expect(stepLine([dense, sparse])).toBe(
      'Training step: 1 of 2 runs trained with the sparse-aware step (`--sparse-aware`), 75% of their steps on the live units; the other 1 with the dense step.',
    );
    // a model the step never took to the live units (the denoiser) says so
    const never = record('linbreg-l0.1', 2, [0.9, 0.9], [0.1, 0.9, 0.9], [0.01, 0.02, 0.03]);
    never.sparseAware = true;
    never.epochs[1]!.sparseSteps = 0;
    never.epochs[2]!.sparseSteps = 0;
    expect(stepLine([never])).toBe(
      'Training step: 1 of 1 runs trained with the sparse-aware step (`--sparse-aware`), which chose the dense computation at every step (for this model the live units never promised to cost less).',
    );
  });
});
