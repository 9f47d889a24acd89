import type { ProfileName } from '../shared/spec.js';
import { meanAt } from './aggregate.js';
import {
  bestValidation,
  drops,
  final,
  labelOf,
  pct,
  points,
  verdict,
  withRuns,
} from './claim-helpers.js';
import type { Claim, Experiment } from './experiment.js';
import { linBreg, MLP_PANELS, mnistMlpRuns, mnistMlpSetup, proxGD, SGD } from './mnist-mlp.js';

/** LinBreg's λ in Fig. 2: the smallest and the largest are the ones the paper's claims name. */
export const FIG2_LAMBDAS = [1e-3, 1e-2, 1e-1];

const METHODS = [SGD, ...FIG2_LAMBDAS.map((l) => linBreg(l)), proxGD(1e-4)];
const SMALL = linBreg(FIG2_LAMBDAS[0]!).id;
const LARGE = linBreg(FIG2_LAMBDAS.at(-1)!).id;
const PROX = proxGD(1e-4).id;
const LINBREGS = FIG2_LAMBDAS.map((l) => linBreg(l).id);

/** Accuracy falls smaller than this (0.2 points) count as noise, not as a drop. */
const NOISE = 0.002;

/**
 * A claim's check that compares the runs of method `id` with SGD's: `holds` judges the gap of
 * their best validation accuracies (the method's minus SGD's) and the method's final share
 * of non-zero weights; `evidence` words the numbers, formatted.
 */
function againstSgd(
  id: string,
  holds: (gap: number, density: number) => boolean,
  evidence: (m: {
    label: string;
    best: string;
    sgdBest: string;
    gap: string;
    density: string;
  }) => string,
): Claim['check'] {
  return (runs) =>
    withRuns(runs, [id, 'sgd'], (lin, sgd) => {
      const gap = bestValidation(lin) - bestValidation(sgd);
      const density = final(lin, 'nTotal');
      return {
        verdict: verdict(holds(gap, density)),
        evidence: evidence({
          label: labelOf(runs, id),
          best: pct(bestValidation(lin)),
          sgdBest: pct(bestValidation(sgd)),
          gap: points(gap),
          density: pct(density),
        }),
      };
    });
}

/** Fig. 2: SGD, LinBreg for several λ and ProxGD on MNIST (paper §4.2). */
export const fig2: Experiment = {
  id: 'fig2',
  title: 'Fig. 2 — SGD, LinBreg and ProxGD on MNIST',
  referenceKey: 'fig2_mnist_mlp',
  setup: (profile: ProfileName) =>
    `${mnistMlpSetup(profile)} Methods: SGD (τ = 0.1); LinBreg (τ = 0.1, δ = 1) with ℓ1 on ` +
    `the weights, λ ∈ {${FIG2_LAMBDAS.join(', ')}}; ProxGD (τ = 0.1, λ = 1e-4). All start ` +
    'from the same sparse initialization.',
  runs: (profile, seeds) => mnistMlpRuns('fig2', profile, METHODS, seeds),
  figures: [
    {
      file: 'fig2',
      title: 'MNIST MLP: SGD, LinBreg, ProxGD (mean ± std over seeds)',
      panels: MLP_PANELS,
    },
  ],
  claims: [
    {
      text: 'SGD without regularization destroys the sparse initialization at once',
      check: (runs) =>
        withRuns(runs, ['sgd'], (sgd) => {
          const before = meanAt(sgd, 'nTotal', 0);
          const after = meanAt(sgd, 'nTotal', 1);
          return {
            verdict: verdict(after >= 0.5 && before <= 0.05),
            evidence: `SGD's non-zero weights: ${pct(before)} at initialization, ${pct(after)} after epoch 1 (holds if > 50% after one epoch).`,
          };
        }),
    },
    {
      text: 'LinBreg: number of non-zero weights grows during training; train accuracy increases monotonically',
      check: (runs) =>
        withRuns(runs, LINBREGS, (...all) => {
          const parts = all.map((r, i) => ({
            label: labelOf(runs, LINBREGS[i]!),
            start: meanAt(r, 'nTotal', 0),
            end: final(r, 'nTotal'),
            falls: drops(r, 'trainAccuracy', NOISE),
          }));
          return {
            verdict: verdict(parts.every((p) => p.end > p.start && p.falls === 0)),
            evidence: `${parts
              .map(
                (p) =>
                  `${p.label}: non-zeros ${pct(p.start)} → ${pct(p.end)}, train accuracy (mean over seeds) falls ${p.falls}×`,
              )
              .join('; ')} (a fall is a drop of more than ${100 * NOISE} points between epochs).`,
          };
        }),
    },
    {
      text: 'ProxGD: no monotone train accuracy or sparsity; validation accuracy oscillates',
      check: (runs) =>
        withRuns(runs, [PROX, LARGE], (prox, lin) => {
          const trainFalls = drops(prox, 'trainAccuracy', NOISE);
          const densityFalls = drops(prox, 'nTotal', 0.001);
          const valFalls = drops(prox, 'validationAccuracy', NOISE);
          const linValFalls = drops(lin, 'validationAccuracy', NOISE);
          return {
            verdict: verdict((trainFalls > 0 || densityFalls > 0) && valFalls > linValFalls),
            evidence:
              `ProxGD: train accuracy falls ${trainFalls}×, the share of non-zeros falls ${densityFalls}× ` +
              `(by > 0.1 pt), validation accuracy falls ${valFalls}× (LinBreg λ = ${FIG2_LAMBDAS.at(-1)}: ${linValFalls}×).`,
          };
        }),
    },
    {
      text: 'LinBreg, smallest lambda shown: validation accuracy equal to the dense net with ~80% of the weights',
      check: againstSgd(
        SMALL,
        (gap, density) => Math.abs(gap) <= 0.003 && density >= 0.6 && density <= 0.95,
        (m) =>
          `${m.label}: best validation accuracy ${m.best} vs SGD ${m.sgdBest} (${m.gap}), ` +
          `${m.density} non-zero weights at the end (holds if within ±0.3 pt and 60–95%).`,
      ),
    },
    {
      text: 'LinBreg, largest lambda shown (1e-1): ~10% of the weights, validation accuracy at most 0.5 points below the dense net',
      check: againstSgd(
        LARGE,
        (gap, density) => gap >= -0.005 && density <= 0.15,
        (m) =>
          `${m.label}: ${m.density} non-zero weights, best validation accuracy ${m.best} ` +
          `vs SGD ${m.sgdBest} (${m.gap}; holds if ≤ 15% and ≥ −0.5 pt).`,
      ),
    },
  ],
};
