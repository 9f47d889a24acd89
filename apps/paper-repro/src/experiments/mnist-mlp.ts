import type { MethodSpec, ModelSpec, ProfileName, RunSpec } from '../shared/spec.js';
import type { CurvesFigure } from './experiment.js';
import { mnistSplit, PAPER_PLATEAU, type ProfileSettings, seedRuns } from './seed-runs.js';

/** Epochs, seeds and data size of the MNIST MLP experiments per profile. */
export const MNIST_MLP_PROFILES: Record<ProfileName, ProfileSettings> = {
  // the paper: 100 epochs, 3 seeds, 55k / 5k / 10k
  paper: { epochs: 100, seeds: 3, limits: {} },
  // the paper's settings: affordable on a 2-core CPU (the MLP is small)
  quick: { epochs: 100, seeds: 3, limits: {} },
  // the whole pipeline in seconds per run
  smoke: {
    epochs: 2,
    seeds: 2,
    limits: { trainLimit: 2048, validationLimit: 512, testLimit: 512 },
  },
};

/** The paper's MLP 784-200-80-10 with sparse init r = 0.01 (He-normal × 0.7, §4.1–4.2). */
export const MNIST_MLP: ModelSpec = {
  kind: 'mlp',
  sizes: [784, 200, 80, 10],
  init: { density: 0.01, variance: 'he', gain: 0.7, bias: 'positiveUniform' },
};

/** The four panels of Figs. 2 and 3. */
export const MLP_PANELS: CurvesFigure['panels'] = [
  { field: 'trainAccuracy', title: 'train accuracy', percent: true },
  { field: 'validationAccuracy', title: 'validation accuracy', percent: true },
  { field: 'l1Norm', title: 'ℓ1 norm of the weights' },
  { field: 'nTotal', title: 'non-zero weights', percent: true },
];

/** SGD, τ = 0.1, no regularization. */
export const SGD: MethodSpec = {
  id: 'sgd',
  label: 'SGD',
  optimizer: { kind: 'sgd', learningRate: 0.1 },
  regularization: {},
};

/** LinBreg with ℓ1 on the dense kernels, τ = 0.1. */
export function linBreg(lambda: number, momentum?: number): MethodSpec {
  const name = momentum === undefined ? 'LinBreg' : `LinBreg β = ${momentum}`;
  return {
    id: `linbreg${momentum === undefined ? '' : `-m${momentum}`}-l${lambda}`,
    label: `${name}, λ = ${lambda}`,
    optimizer: {
      kind: 'linbreg',
      learningRate: 0.1,
      ...(momentum === undefined ? {} : { momentum }),
    },
    regularization: { dense: { type: 'L1', lambda } },
  };
}

/** AdaBreg with ℓ1 on the dense kernels, τ = 1e-3. */
export function adaBreg(lambda: number): MethodSpec {
  return {
    id: `adabreg-l${lambda}`,
    label: `AdaBreg, λ = ${lambda}`,
    optimizer: { kind: 'adabreg', learningRate: 1e-3 },
    regularization: { dense: { type: 'L1', lambda } },
  };
}

/** ProxGD (lasso) with ℓ1 on the dense kernels, τ = 0.1. */
export function proxGD(lambda: number): MethodSpec {
  return {
    id: `proxgd-l${lambda}`,
    label: `ProxGD, λ = ${lambda}`,
    optimizer: { kind: 'proxgd', learningRate: 0.1 },
    regularization: { dense: { type: 'L1', lambda } },
  };
}

/** The runs of an MNIST MLP experiment: every method × seed 1 … seeds. */
export function mnistMlpRuns(
  experiment: string,
  profile: ProfileName,
  methods: MethodSpec[],
  seeds?: number,
): RunSpec[] {
  const settings = MNIST_MLP_PROFILES[profile];
  return seedRuns(experiment, profile, methods, seeds ?? settings.seeds, {
    data: mnistSplit('mnist', 'flat', settings.limits),
    model: MNIST_MLP,
    loss: 'crossentropy',
    epochs: settings.epochs,
    batchSize: 128,
    plateau: PAPER_PLATEAU,
  });
}

/** The setup paragraph of the MNIST MLP experiments. */
export function mnistMlpSetup(profile: ProfileName): string {
  const { epochs, seeds, limits } = MNIST_MLP_PROFILES[profile];
  const size = limits.trainLimit
    ? `the first ${limits.trainLimit} / ${limits.validationLimit} / ${limits.testLimit} images of the 55,000 / 5,000 / 10,000 split`
    : 'MNIST split 55,000 train / 5,000 validation (seeded, split seed 0), 10,000 test';
  return (
    `MLP 784-200-80-10 (ReLU, linear logits), ${size}, inputs standardized by the training ` +
    `set's mean and std, batch 128, cross-entropy, ${epochs} epochs (the paper: 100), ` +
    `${seeds} seeds. Sparse init r = 0.01 (He-normal × 0.7 / √r on the kept entries), ` +
    `positive uniform biases U(0, 1/√fan_in). Learning rate halved on a training-loss ` +
    `plateau (factor 0.5, patience 5, threshold 0.01 rel.); the kept model is the one with ` +
    `the best validation accuracy, and its test accuracy is reported.`
  );
}
