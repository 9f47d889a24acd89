import { join } from 'node:path';
import type { ModelInit } from '@bregman/models';
import type * as vl from 'vega-lite';
import { renderSvg } from '../render/svg.js';
import { markdownTable } from '../render/text.js';
import type { MethodSpec, ProfileName } from '../shared/spec.js';
import { writeFileAtomic } from '../storage/atomic-write.js';
import { meanStd } from './aggregate.js';
import { pct } from './claim-helpers.js';
import type { Experiment, ExperimentRuns } from './experiment.js';
import {
  adaBreg,
  linBreg,
  MNIST_MLP_PROFILES,
  mnistMlpRuns,
  mnistMlpSetup,
  proxGD,
  SGD,
} from './mnist-mlp.js';
import type { ProfileSettings } from './seed-runs.js';

/** A family of methods on the front: one method per value of its knob. */
interface Family {
  /** Name in the figure and the report. */
  name: string;
  /** The knob's values (λ, or the pruned density), in the quick and paper profiles. */
  values: readonly number[];
  /** The method for one value. */
  method(value: number, settings: ProfileSettings): MethodSpec;
}

/** Dense start for the pruning baseline (it prunes a trained dense net). */
const DENSE: ModelInit = { density: 1, variance: 'he', bias: 'positiveUniform' };

/** The methods whose fronts are compared, with the grids of their knobs. */
const FAMILIES: readonly Family[] = [
  {
    name: 'LinBreg',
    values: [1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1],
    method: (lambda) => linBreg(lambda),
  },
  {
    name: 'LinBreg β = 0.9',
    values: [1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1],
    method: (lambda) => linBreg(lambda, 0.9),
  },
  {
    name: 'AdaBreg',
    values: [1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1],
    method: (lambda) => adaBreg(lambda),
  },
  {
    name: 'ProxGD',
    values: [1e-5, 3e-5, 1e-4, 3e-4, 1e-3],
    method: (lambda) => proxGD(lambda),
  },
  {
    name: 'magnitude pruning',
    values: [0.02, 0.05, 0.1, 0.2, 0.4],
    method: (density, settings) => ({
      id: `pruning-d${density}`,
      label: `SGD, pruning to ${100 * density}%`,
      optimizer: { kind: 'sgd', learningRate: 0.1 },
      regularization: {},
      // prune over the first ~60% of the epochs, retrain in the rest (as Tables 1–2)
      pruning: { targetDensity: density, endEpoch: Math.max(1, Math.ceil(0.6 * settings.epochs)) },
      init: DENSE,
    }),
  },
];

/** The knob values of a family in a profile: the smoke profile takes the two ends. */
function valuesOf(family: Family, profile: ProfileName): readonly number[] {
  return profile === 'smoke' ? [family.values[0]!, family.values.at(-1)!] : family.values;
}

/**
 * The MNIST MLP profiles with the sweep's budget: 20 epochs in the quick profile (the issue's
 * budget for 29 methods × 3 seeds), one seed in the smoke profile.
 */
function settingsOf(profile: ProfileName): ProfileSettings {
  const mlp = MNIST_MLP_PROFILES[profile];
  if (profile === 'quick') return { ...mlp, epochs: 20 };
  if (profile === 'smoke') return { ...mlp, seeds: 1 };
  return mlp;
}

/** Every method of the sweep, with its family, in order (SGD, the dense reference, first). */
function sweep(profile: ProfileName): Array<{ family: string; method: MethodSpec }> {
  const settings = settingsOf(profile);
  return [
    { family: 'SGD (dense)', method: SGD },
    ...FAMILIES.flatMap((family) =>
      valuesOf(family, profile).map((value) => ({
        family: family.name,
        method: family.method(value, settings),
      })),
    ),
  ];
}

/** One method's point: mean test accuracy and non-zero share of its kept models over seeds. */
export interface FrontPoint {
  family: string;
  label: string;
  /** Mean N_total of the kept models. */
  density: number;
  densityStd: number;
  /** Mean test accuracy of the kept models. */
  accuracy: number;
  accuracyStd: number;
  seeds: number;
  /** Whether no other point is at least as sparse and at least as accurate (and better in one). */
  onFront: boolean;
}

/** The points of the finished methods, with the joint accuracy–density front marked. */
export function frontPoints(runs: ExperimentRuns, profile: ProfileName): FrontPoint[] {
  const familyOf = new Map(sweep(profile).map(({ family, method }) => [method.id, family]));
  const found = runs.methods.flatMap(({ method, runs: records }) => {
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
  return `From the sparsest to the densest, the joint front is held by: ${spans
    .map((s) =>
      s.from === s.to
        ? `${s.family} at ${pct(s.from)}`
        : `${s.family} from ${pct(s.from)} to ${pct(s.to)}`,
    )
    .join(', then ')} of non-zero weights.`;
}

/** The vega-lite spec of the front: test accuracy against non-zero weights, one colour per family. */
export function frontSpec(
  front: readonly FrontPoint[],
  paper: readonly PaperPoint[],
): vl.TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'MNIST MLP: test accuracy against non-zero weights (kept models, mean over seeds)',
    width: 520,
    height: 340,
    layer: [
      {
        data: {
          values: front.map((p) => ({
            ...p,
            density: 100 * p.density,
            accuracy: 100 * p.accuracy,
          })),
        },
        mark: { type: 'line', point: { filled: true, size: 50 } },
        encoding: {
          x: {
            field: 'density',
            type: 'quantitative',
            scale: { type: 'log' },
            title: 'non-zero weights (%)',
          },
          y: {
            field: 'accuracy',
            type: 'quantitative',
            scale: { zero: false },
            title: 'test accuracy (%)',
          },
          color: { field: 'family', type: 'nominal', title: null },
          order: { field: 'density', type: 'quantitative' },
          tooltip: [{ field: 'label' }, { field: 'density' }, { field: 'accuracy' }],
        },
      },
      {
        data: {
          values: paper.map((p) => ({
            ...p,
            density: 100 * p.density,
            accuracy: 100 * p.accuracy,
          })),
        },
        mark: { type: 'point', shape: 'diamond', size: 120, color: 'black', filled: true },
        encoding: {
          x: { field: 'density', type: 'quantitative' },
          y: { field: 'accuracy', type: 'quantitative' },
        },
      },
      {
        data: {
          values: paper.map((p) => ({
            ...p,
            density: 100 * p.density,
            accuracy: 100 * p.accuracy,
          })),
        },
        mark: { type: 'text', dx: 8, align: 'left', fontSize: 10 },
        encoding: {
          x: { field: 'density', type: 'quantitative' },
          y: { field: 'accuracy', type: 'quantitative' },
          text: { field: 'label' },
        },
      },
    ],
  };
}

/** A point the paper states (Fig. 2, §4.2), placed against our dense SGD accuracy. */
export interface PaperPoint {
  label: string;
  density: number;
  accuracy: number;
}

/**
 * The paper's two LinBreg points on the MNIST MLP (Fig. 2, §4.2), as its claims word them:
 * λ = 1e-3 keeps ~80% of the weights at the dense net's validation accuracy, λ = 0.1 ~10% at
 * most 0.5 points below it. The paper gives no absolute accuracy for them: they are placed
 * against our SGD's test accuracy.
 */
export function paperPoints(front: readonly FrontPoint[]): PaperPoint[] {
  const sgd = front.find((p) => p.family === 'SGD (dense)');
  if (!sgd) return [];
  return [
    { label: 'paper: LinBreg λ = 1e-3', density: 0.8, accuracy: sgd.accuracy },
    { label: 'paper: LinBreg λ = 0.1', density: 0.1, accuracy: sgd.accuracy - 0.005 },
  ];
}

/** The front's table: one row per method, the joint front marked. */
function frontTable(front: readonly FrontPoint[]): string {
  return markdownTable(
    ['method', 'non-zero weights', 'test accuracy', 'seeds', 'on the front'],
    front.map((p) => [
      p.label,
      `${pct(p.density)} ± ${(100 * p.densityStd).toFixed(2)} pt`,
      `${pct(p.accuracy)} ± ${(100 * p.accuracyStd).toFixed(2)} pt`,
      String(p.seeds),
      p.onFront ? 'yes' : '',
    ]),
  );
}

/** `pnpm repro pareto`: accuracy–density fronts of every method on the MNIST MLP. */
export const pareto: Experiment = {
  id: 'pareto',
  beyondPaper: true,
  title: 'Beyond the paper — accuracy–density fronts on the MNIST MLP',
  referenceKey: 'fig2_mnist_mlp',
  setup: (profile) =>
    `${mnistMlpSetup(profile)}${profile === 'quick' ? ' Here: 20 epochs.' : ''}${profile === 'smoke' ? ' Here: 1 seed.' : ''} The paper shows one point per method; this sweeps each method's ` +
    `knob: λ ∈ {${FAMILIES[0]!.values.join(', ')}} for LinBreg, LinBreg β = 0.9 (τ = 0.1) and ` +
    `AdaBreg (τ = 1e-3), λ ∈ {${FAMILIES[3]!.values.join(', ')}} for ProxGD (τ = 0.1), and ` +
    `magnitude pruning of a dense SGD net to {${FAMILIES[4]!.values.map((d) => `${100 * d}%`).join(', ')}} ` +
    `over the first 60% of the epochs${profile === 'smoke' ? ' (smoke: the two ends of each grid)' : ''}. ` +
    'Each point is a method’s kept model (best validation accuracy), mean over seeds; the ' +
    'paper’s two LinBreg points of Fig. 2 are drawn against our SGD accuracy.',
  runs: (profile, seeds) => {
    const { epochs, seeds: own } = settingsOf(profile);
    return mnistMlpRuns(
      'pareto',
      profile,
      sweep(profile).map((s) => s.method),
      seeds ?? own,
    ).map((spec) => ({ ...spec, epochs }));
  },
  figures: [],
  claims: [],
  draw: async (runs, dir) => {
    const profile = runs.methods[0]?.runs[0]?.spec.profile;
    if (profile === undefined) return [];
    const front = frontPoints(runs, profile);
    if (front.length === 0) return [];
    const path = join(dir, 'pareto.svg');
    writeFileAtomic(path, await renderSvg(frontSpec(front, paperPoints(front))));
    return [path];
  },
  notes: (runs) => {
    const profile = runs.methods[0]?.runs[0]?.spec.profile;
    if (profile === undefined) return '';
    const front = frontPoints(runs, profile);
    return `${frontSummary(front)}\n\n${frontTable(front)}`;
  },
};
