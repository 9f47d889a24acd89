import { join } from 'node:path';
import type { GroupSelection } from '@bregman/baselines';
import type { ModelInit } from '@bregman/models';
import type * as vl from 'vega-lite';
import { renderSvg } from '../render/svg.js';
import { markdownTable } from '../render/text.js';
import type { MethodSpec, ProfileName, RunSpec } from '../shared/spec.js';
import { writeFileAtomic } from '../storage/atomic-write.js';
import { meanStd } from './aggregate.js';
import { pct } from './claim-helpers.js';
import type { Experiment, ExperimentRuns } from './experiment.js';
import {
  FASHION_PROFILES,
  fashionRuns,
  fashionSetup,
  l1Everywhere,
  prunedGroups,
  SPARSE,
  tableHyperparameters,
} from './fashion-convnet.js';
import {
  adaBreg,
  linBreg,
  MNIST_MLP_PROFILES,
  mnistMlpRuns,
  mnistMlpSetup,
  proxGD,
  SGD,
} from './mnist-mlp.js';
import { pruningEndEpoch } from './seed-runs.js';

/** A family of methods on a front: one method per value of its knob. */
interface Family {
  /** Name in the figure and the report. */
  name: string;
  /** The knob's values (λ, or the pruned density). */
  values: readonly number[];
  /** The method for one value. */
  method(value: number): MethodSpec;
}

/** What a front study sweeps, on which model and data. */
interface FrontStudy {
  id: string;
  title: string;
  /** The model and data, for the figure's title. */
  subject: string;
  /** The dense reference method (its family is `dense`). */
  dense: { name: string; method: MethodSpec };
  /** The families of a profile (the smoke profile takes the two ends of each grid). */
  families(profile: ProfileName): Family[];
  /** The runs of the methods. */
  runs(profile: ProfileName, methods: MethodSpec[], seeds?: number): RunSpec[];
  /** The setup paragraph. */
  setup(profile: ProfileName): string;
  /** The paper's points to draw, from `paper-results.json` and the points we measured. */
  paperPoints(reference: Record<string, unknown>, front: readonly FrontPoint[]): PaperPoint[];
}

/** One method's point: mean test accuracy and non-zero share of its kept models over seeds. */
export interface FrontPoint {
  /** The method's family. */
  family: string;
  /** The method's label. */
  label: string;
  /** Mean N_total of the kept models. */
  density: number;
  /** Its standard deviation over seeds. */
  densityStd: number;
  /** Mean test accuracy of the kept models. */
  accuracy: number;
  /** Its standard deviation over seeds. */
  accuracyStd: number;
  /** Seeds with a kept model. */
  seeds: number;
  /** Whether no other point is at least as sparse and at least as accurate (and better in one). */
  onFront: boolean;
}

/** A point the paper states, to draw beside ours. */
export interface PaperPoint {
  label: string;
  density: number;
  accuracy: number;
}

/** The knob values of a family in a profile: the smoke profile takes the two ends. */
function ends(values: readonly number[], profile: ProfileName): readonly number[] {
  return profile === 'smoke' ? [values[0]!, values.at(-1)!] : values;
}

/** Every method of a study, with its family (the dense reference first). */
function sweep(study: FrontStudy, profile: ProfileName) {
  return [
    { family: study.dense.name, method: study.dense.method },
    ...study
      .families(profile)
      .flatMap((family) =>
        family.values.map((value) => ({ family: family.name, method: family.method(value) })),
      ),
  ];
}

/** The points of the finished methods, with the joint accuracy–density front marked. */
export function frontPoints(
  runs: ExperimentRuns,
  familyOf: ReadonlyMap<string, string>,
): FrontPoint[] {
  const found = runs.methods.flatMap(({ method, runs: records }): FrontPoint[] => {
    const kept = records.flatMap((r) =>
      r.finish?.kept.testAccuracy == null
        ? []
        : [{ accuracy: r.finish.kept.testAccuracy, density: r.finish.kept.nTotal }],
    );
    if (kept.length === 0) return [];
    const accuracy = meanStd(kept.map((k) => k.accuracy));
    const density = meanStd(kept.map((k) => k.density));
    return [
      {
        family: familyOf.get(method.id) ?? method.label,
        label: method.label,
        density: density.mean,
        densityStd: density.std,
        accuracy: accuracy.mean,
        accuracyStd: accuracy.std,
        seeds: kept.length,
        onFront: false,
      },
    ];
  });
  for (const p of found) {
    p.onFront = !found.some(
      (q) =>
        q !== p &&
        q.density <= p.density &&
        q.accuracy >= p.accuracy &&
        (q.density < p.density || q.accuracy > p.accuracy),
    );
  }
  return found;
}

/** Which family holds the front in which range of densities, in words. */
export function frontSummary(front: readonly FrontPoint[]): string {
  const on = front.filter((p) => p.onFront).sort((a, b) => a.density - b.density);
  if (on.length === 0) return 'No finished run yet.';
  const spans: Array<{ family: string; from: number; to: number }> = [];
  for (const p of on) {
    const last = spans.at(-1);
    if (last?.family === p.family) last.to = p.density;
    else spans.push({ family: p.family, from: p.density, to: p.density });
  }
  const said = spans.map((s) =>
    s.from === s.to
      ? `${s.family} at ${pct(s.from)}`
      : `${s.family} from ${pct(s.from)} to ${pct(s.to)}`,
  );
  return `From the sparsest to the densest, the joint front is held by: ${said.join(', then ')} of non-zero weights.`;
}

/** The vega-lite spec of a front: test accuracy against non-zero weights, one colour per family. */
export function frontSpec(
  title: string,
  front: readonly FrontPoint[],
  paper: readonly PaperPoint[],
): vl.TopLevelSpec {
  const inPercent = <T extends { density: number; accuracy: number }>(points: readonly T[]) =>
    points.map((p) => ({ ...p, density: 100 * p.density, accuracy: 100 * p.accuracy }));
  const at = {
    x: { field: 'density', type: 'quantitative' },
    y: { field: 'accuracy', type: 'quantitative' },
  } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 520,
    height: 340,
    layer: [
      {
        data: { values: inPercent(front) },
        mark: { type: 'line', point: { filled: true, size: 50 } },
        encoding: {
          x: { ...at.x, scale: { type: 'log' }, title: 'non-zero weights (%)' },
          y: { ...at.y, scale: { zero: false }, title: 'test accuracy (%)' },
          color: { field: 'family', type: 'nominal', title: null },
          order: { field: 'density', type: 'quantitative' },
        },
      },
      {
        data: { values: inPercent(paper) },
        mark: { type: 'point', shape: 'diamond', size: 120, color: 'black', filled: true },
        encoding: at,
      },
      {
        data: { values: inPercent(paper) },
        mark: { type: 'text', dx: 8, align: 'left', fontSize: 10 },
        encoding: { ...at, text: { field: 'label' } },
      },
    ],
  };
}

/** `value ± std pt` over several seeds; one seed has no spread to show. */
function withSpread(value: number, std: number, seeds: number): string {
  return seeds > 1 ? `${pct(value)} ± ${(100 * std).toFixed(2)} pt` : pct(value);
}

/** A front's table: one row per method, the joint front marked. */
export function frontTable(front: readonly FrontPoint[]): string {
  return markdownTable(
    ['method', 'non-zero weights', 'test accuracy', 'seeds', 'on the front'],
    front.map((p) => [
      p.label,
      withSpread(p.density, p.densityStd, p.seeds),
      withSpread(p.accuracy, p.accuracyStd, p.seeds),
      String(p.seeds),
      p.onFront ? 'yes' : '',
    ]),
  );
}

/** An experiment that sweeps each method's knob and draws the accuracy–density fronts. */
function frontExperiment(study: FrontStudy): Experiment {
  const familyOf = (profile: ProfileName) =>
    new Map(sweep(study, profile).map(({ family, method }) => [method.id, family]));
  const front = (runs: ExperimentRuns) => {
    const profile = runs.methods[0]?.runs[0]?.spec.profile;
    return profile === undefined ? [] : frontPoints(runs, familyOf(profile));
  };
  return {
    id: study.id,
    title: study.title,
    beyondPaper: true,
    referenceKey: '',
    setup: (profile) =>
      `${study.setup(profile)} Each point is a method's kept model (best validation accuracy), mean over seeds${profile === 'smoke' ? ' (smoke: the two ends of each grid)' : ''}.`,
    runs: (profile, seeds) =>
      study.runs(
        profile,
        sweep(study, profile).map((s) => s.method),
        seeds,
      ),
    figures: [],
    claims: [],
    draw: async (runs, dir, _outDir, reference) => {
      const points = front(runs);
      if (points.length === 0) return [];
      const path = join(dir, `${study.id}.svg`);
      const spec = frontSpec(
        `${study.subject}: test accuracy against non-zero weights (kept models, mean over seeds)`,
        points,
        study.paperPoints(reference, points),
      );
      writeFileAtomic(path, await renderSvg(spec));
      return [path];
    },
    notes: (runs) => {
      const points = front(runs);
      return points.length === 0 ? '' : `${frontSummary(points)}\n\n${frontTable(points)}`;
    },
  };
}

/** The λ grid of the Bregman methods on the MNIST MLP. */
const MLP_LAMBDAS = [1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1];
/** ProxGD's λ grid on the MNIST MLP. */
const MLP_PROX_LAMBDAS = [1e-5, 3e-5, 1e-4, 3e-4, 1e-3];
/** The densities magnitude pruning ramps to. */
const PRUNED_DENSITIES = [0.02, 0.05, 0.1, 0.2, 0.4];
/** Dense start for the pruning baseline on the MLP (it prunes a trained dense net). */
const DENSE_MLP: ModelInit = { density: 1, variance: 'he', bias: 'positiveUniform' };

/**
 * Magnitude pruning of a dense SGD net to `density` over the first 60% of `epochs`; `groups`
 * as the table it stands beside sets it (so that its run at the table's density is the
 * table's run, shared, not trained again).
 */
function pruned(
  density: number,
  epochs: number,
  learningRate: number,
  init: ModelInit,
  groups?: GroupSelection,
) {
  return {
    id: `pruning-d${density}`,
    label: `SGD, pruning to ${100 * density}%`,
    optimizer: { kind: 'sgd', learningRate },
    regularization: {},
    pruning: {
      targetDensity: density,
      endEpoch: pruningEndEpoch(epochs),
      ...(groups === undefined ? {} : { groups }),
    },
    init,
  } satisfies MethodSpec;
}

/** The MNIST MLP's epochs and seeds for the sweep: 20 epochs in quick, one seed in smoke. */
function mlpBudget(profile: ProfileName): { epochs: number; seeds: number } {
  const { epochs, seeds } = MNIST_MLP_PROFILES[profile];
  if (profile === 'quick') return { epochs: 20, seeds };
  return profile === 'smoke' ? { epochs, seeds: 1 } : { epochs, seeds };
}

/** `pnpm repro pareto`: accuracy–density fronts of every method on the MNIST MLP. */
export const pareto: Experiment = frontExperiment({
  id: 'pareto',
  title: 'Beyond the paper — accuracy–density fronts on the MNIST MLP',
  subject: 'MNIST MLP',
  dense: { name: 'SGD (dense)', method: SGD },
  families: (profile) => [
    { name: 'LinBreg', values: ends(MLP_LAMBDAS, profile), method: (l) => linBreg(l) },
    {
      name: 'LinBreg β = 0.9',
      values: ends(MLP_LAMBDAS, profile),
      method: (l) => linBreg(l, 0.9),
    },
    { name: 'AdaBreg', values: ends(MLP_LAMBDAS, profile), method: (l) => adaBreg(l) },
    { name: 'ProxGD', values: ends(MLP_PROX_LAMBDAS, profile), method: (l) => proxGD(l) },
    {
      name: 'magnitude pruning',
      values: ends(PRUNED_DENSITIES, profile),
      method: (d) => pruned(d, mlpBudget(profile).epochs, 0.1, DENSE_MLP),
    },
  ],
  runs: (profile, methods, seeds) => {
    const { epochs, seeds: own } = mlpBudget(profile);
    return mnistMlpRuns('pareto', profile, methods, seeds ?? own).map((spec) => ({
      ...spec,
      epochs,
    }));
  },
  setup: (profile) =>
    `${mnistMlpSetup(profile)} Here: ${mlpBudget(profile).epochs} epochs, ${mlpBudget(profile).seeds} seed(s). ` +
    `The paper shows one point per method; this sweeps each method's knob: λ ∈ {${MLP_LAMBDAS.join(', ')}} ` +
    `for LinBreg, LinBreg β = 0.9 (τ = 0.1) and AdaBreg (τ = 1e-3), λ ∈ {${MLP_PROX_LAMBDAS.join(', ')}} ` +
    `for ProxGD (τ = 0.1), and magnitude pruning of a dense SGD net to {${PRUNED_DENSITIES.map((d) => `${100 * d}%`).join(', ')}} ` +
    `over the first 60% of the epochs. The paper's two LinBreg points of Fig. 2 are drawn against our SGD accuracy ` +
    '(it words them relative to the dense net: λ = 1e-3 ~80% of the weights at its accuracy, λ = 0.1 ~10% at most 0.5 points below).',
  paperPoints: (_reference, front) => mlpPaperPoints(front),
});

/**
 * The paper's two LinBreg points on the MNIST MLP (Fig. 2, §4.2), as its claims word them:
 * λ = 1e-3 keeps ~80% of the weights at the dense net's validation accuracy, λ = 0.1 ~10% at
 * most 0.5 points below it. The paper gives no absolute accuracy for them: they are placed
 * against our SGD's test accuracy.
 */
export function mlpPaperPoints(front: readonly FrontPoint[]): PaperPoint[] {
  const sgd = front.find((p) => p.family === 'SGD (dense)');
  if (!sgd) return [];
  return [
    { label: 'paper: LinBreg λ = 1e-3', density: 0.8, accuracy: sgd.accuracy },
    { label: 'paper: LinBreg λ = 0.1', density: 0.1, accuracy: sgd.accuracy - 0.005 },
  ];
}

/** The paper's Table 1 rows (Fashion-MNIST ConvNet, ℓ1) as points: `density` and `test_acc` in %. */
export function tablePaperPoints(reference: Record<string, unknown>): PaperPoint[] {
  const rows = reference.table1_fashion_mnist_l1;
  if (!Array.isArray(rows)) return [];
  return rows.flatMap((row: Record<string, unknown>) =>
    typeof row.density === 'number' && typeof row.test_acc === 'number'
      ? [
          {
            label: `paper: ${String(row.optimizer)}`,
            density: row.density / 100,
            accuracy: row.test_acc / 100,
          },
        ]
      : [],
  );
}

/** `pnpm repro pareto-convnet`: the same fronts on the Fashion-MNIST ConvNet (Table 1's ℓ1). */
export const paretoConvNet: Experiment = frontExperiment({
  id: 'pareto-convnet',
  title: 'Beyond the paper — accuracy–density fronts on the Fashion-MNIST ConvNet',
  subject: 'Fashion-MNIST ConvNet',
  dense: {
    name: 'Adam (dense)',
    method: {
      id: 'adam',
      label: 'Adam',
      optimizer: { kind: 'adam', learningRate: 1e-3 },
      regularization: {},
      init: { density: 1, variance: 'he' },
    },
  },
  families: (profile) => {
    const h = tableHyperparameters(profile, false);
    // around Table 1's λ of the profile (the quick budget's were probed to land near the
    // paper's densities), a factor of ~3 each way
    const around = (lambda: number) =>
      ends(
        [lambda / 3, lambda, 3 * lambda].map((l) => Number(l.toPrecision(2))),
        profile,
      );
    const bregman = (kind: 'linbreg' | 'adabreg', momentum?: number) => (lambda: number) => ({
      id: `${kind}${momentum === undefined ? '' : '-m'}-l${lambda}`,
      label: `${kind === 'linbreg' ? 'LinBreg' : 'AdaBreg'}${momentum === undefined ? '' : ' β = 0.9'}, λ = ${lambda}`,
      optimizer: {
        kind,
        learningRate: h[kind].learningRate,
        ...(momentum === undefined ? {} : { momentum }),
      },
      regularization: l1Everywhere(lambda),
      init: SPARSE,
    });
    return [
      { name: 'LinBreg', values: around(h.linbreg.lambda), method: bregman('linbreg') },
      {
        name: 'LinBreg β = 0.9',
        values: around(h.linbreg.lambda),
        method: bregman('linbreg', 0.9),
      },
      { name: 'AdaBreg', values: around(h.adabreg.lambda), method: bregman('adabreg') },
      {
        name: 'ProxGD',
        values: around(h.proxgd.lambda),
        method: (lambda) => ({
          id: `proxgd-l${lambda}`,
          label: `ProxGD, λ = ${lambda}`,
          optimizer: { kind: 'proxgd', learningRate: h.sgd.learningRate },
          regularization: l1Everywhere(lambda),
          init: { density: 1, variance: 'he' },
        }),
      },
      {
        name: 'magnitude pruning',
        values: ends([0.02, 0.05, 0.15], profile),
        method: (d) =>
          pruned(
            d,
            FASHION_PROFILES[profile].epochs,
            h.sgd.learningRate,
            { density: 1, variance: 'he' },
            prunedGroups(false),
          ),
      },
    ];
  },
  runs: (profile, methods, seeds) => fashionRuns('pareto-convnet', profile, methods, seeds),
  setup: (profile) =>
    `${fashionSetup(profile, false)} The paper's Table 1 gives one point per method; this sweeps ` +
    'each method around its Table 1 λ (÷3, ×1, ×3), and magnitude pruning to 2%, 5% and 15%. ' +
    "The paper's Table 1 rows are drawn as black diamonds (its 100 epochs on the official split).",
  paperPoints: (reference) => tablePaperPoints(reference),
});
