import { describe, expect, it } from 'vitest';
import type { MethodSpec } from '../shared/spec.js';
import { runKey } from '../storage/run-key.js';
import type { RunRecord } from '../storage/run-record.js';
import type { ExperimentRuns } from './experiment.js';
import {
  frontPoints,
  frontSummary,
  frontTable,
  mlpPaperPoints,
  pareto,
  paretoConvNet,
  tablePaperPoints,
} from './pareto.js';
import { table1 } from './table1.js';
import { table2 } from './table2.js';

/** The finished runs of `methods`, one record per (density, accuracy) of a kept model. */
function runsOf(methods: Array<[MethodSpec, Array<[number, number]>]>): ExperimentRuns {
  return {
    methods: methods.map(([method, kept]) => ({
      method,
      runs: kept.map(
        ([nTotal, testAccuracy]) =>
          ({
            spec: { method, profile: 'quick' },
            finish: { kept: { nTotal, testAccuracy } },
          }) as unknown as RunRecord,
      ),
    })),
  };
}

const specs = pareto.runs('quick');
const method = (id: string) => specs.find((s) => s.method.id === id)!.method;

describe('pnpm repro pareto', () => {
  it('sweeps every method’s knob: SGD and 28 sparse methods × 3 seeds, 20 epochs in the quick profile', () => {
    expect(specs).toHaveLength((1 + 28) * 3);
    expect(new Set(specs.map((s) => s.epochs))).toEqual(new Set([20]));
    expect(method('pruning-d0.05').pruning).toEqual({ targetDensity: 0.05, endEpoch: 12 });
    const smoke = pareto.runs('smoke');
    expect(smoke.map((s) => s.method.id)).toEqual([
      'sgd',
      'linbreg-l0.001',
      'linbreg-l0.3',
      'linbreg-m0.9-l0.001',
      'linbreg-m0.9-l0.3',
      'adabreg-l0.001',
      'adabreg-l0.3',
      'proxgd-l0.00001',
      'proxgd-l0.001',
      'pruning-d0.02',
      'pruning-d0.4',
    ]);
  });

  it('marks the points no other point beats in both density and accuracy, and says who holds the front where', () => {
    const runs = runsOf([
      [method('sgd'), [[0.99, 0.98]]],
      [
        method('linbreg-l0.1'),
        [
          [0.08, 0.97],
          [0.1, 0.975],
        ],
      ],
      [method('linbreg-l0.001'), [[0.3, 0.979]]],
      [method('proxgd-l0.0001'), [[0.5, 0.97]]], // beaten by LinBreg λ = 0.001
      [method('pruning-d0.02'), [[0.02, 0.9]]],
    ]);
    const families = new Map([
      ['sgd', 'SGD (dense)'],
      ['linbreg-l0.1', 'LinBreg'],
      ['linbreg-l0.001', 'LinBreg'],
      ['proxgd-l0.0001', 'ProxGD'],
      ['pruning-d0.02', 'magnitude pruning'],
    ]);
    const front = frontPoints(runs, families);
    const byLabel = Object.fromEntries(front.map((p) => [p.label, p]));
    expect(byLabel['LinBreg, λ = 0.1']).toMatchObject({
      family: 'LinBreg',
      seeds: 2,
      onFront: true,
    });
    expect(byLabel['LinBreg, λ = 0.1']!.density).toBeCloseTo(0.09, 12);
    expect(byLabel['LinBreg, λ = 0.1']!.accuracy).toBeCloseTo(0.9725, 12);
    expect(byLabel['ProxGD, λ = 0.0001']!.onFront).toBe(false);
    expect(byLabel['SGD']).toMatchObject({ family: 'SGD (dense)', onFront: true });
    expect(frontSummary(front)).toBe(
      'From the sparsest to the densest, the joint front is held by: magnitude pruning at 2.0%, then LinBreg from 9.0% to 30.0%, then SGD (dense) at 99.0% of non-zero weights.',
    );
    expect(mlpPaperPoints(front)).toEqual([
      { label: 'paper: LinBreg λ = 1e-3', density: 0.8, accuracy: 0.98 },
      { label: 'paper: LinBreg λ = 0.1', density: 0.1, accuracy: 0.975 },
    ]);
    expect(frontSummary([])).toBe('No finished run yet.');
    // the spread over seeds where there are several; none for one seed
    expect(frontTable(front)).toMatch(
      /\| LinBreg, λ = 0\.1 \| 9\.0% ± \d\.\d\d pt \| 97\.2% ± \d\.\d\d pt \| 2 \| yes \|/,
    );
    expect(frontTable(front)).toContain('| SGD | 99.0% | 98.0% | 1 | yes |');
  });

  it('pareto-convnet sweeps around Table 1’s λ and draws the paper’s Table 1 rows', () => {
    expect(paretoConvNet.beyondPaper).toBe(true);
    const smoke = paretoConvNet.runs('smoke').map((s) => s.method);
    expect(smoke.map((m) => m.id)).toEqual([
      'adam',
      'linbreg-l0.1',
      'linbreg-l0.9',
      'linbreg-m-l0.1',
      'linbreg-m-l0.9',
      'adabreg-l0.2',
      'adabreg-l1.8',
      'proxgd-l0.00033',
      'proxgd-l0.003',
      'pruning-d0.02',
      'pruning-d0.15',
    ]);
    expect(smoke[1]!.init).toMatchObject({ density: 0.01 });
    // its runs at Table 1's λ and pruning density are Table 1's (shared, trained once)
    const tableKeys = new Set([...table1.runs('quick'), ...table2.runs('quick')].map(runKey));
    const shared = paretoConvNet
      .runs('quick')
      .filter((s) => tableKeys.has(runKey(s)))
      .map((s) => s.runId);
    expect(shared).toEqual([
      'adam-s1',
      'linbreg-l0.3-s1',
      'linbreg-m-l0.3-s1',
      'adabreg-l0.6-s1',
      'proxgd-l0.001-s1',
      'pruning-d0.05-s1',
    ]);
    expect(
      tablePaperPoints({
        table1_fashion_mnist_l1: [{ optimizer: 'LinBreg', density: 1.9, test_acc: 89.2 }],
      }),
    ).toEqual([{ label: 'paper: LinBreg', density: 0.019, accuracy: 0.892 }]);
    expect(tablePaperPoints({})).toEqual([]);
  });
});
