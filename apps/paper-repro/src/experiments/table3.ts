import type { ModelInit } from '@bregman/models';
import { duration } from '../render/text.js';
import type { DataSpec, MethodSpec, ProfileName, RunSpec } from '../shared/spec.js';
import type { Experiment } from './experiment.js';
import { bregmanMethods, bregmanRows, COLUMNS } from './paper-tables.js';
import { PAPER_PLATEAU, type ProfileSettings, seedRuns } from './seed-runs.js';

/** Epochs, seeds and data of Table 3 per profile. */
export const CIFAR_PROFILES: Record<
  ProfileName,
  ProfileSettings & { dataset: 'cifar10' | 'cifar10-synthetic' }
> = {
  paper: { epochs: 180, seeds: 1, dataset: 'cifar10', limits: {} },
  // ResNet-18 trains at ~8.5 images/s on one wasm thread: the quick profile is a sample
  quick: {
    epochs: 2,
    seeds: 1,
    dataset: 'cifar10',
    limits: { trainLimit: 2000, validationLimit: 500, testLimit: 1000 },
  },
  // a synthetic file in the official format: the CIFAR pipeline without the real data
  smoke: {
    epochs: 1,
    seeds: 1,
    dataset: 'cifar10-synthetic',
    limits: { trainLimit: 32, validationLimit: 16, testLimit: 16 },
  },
};

const DENSE: ModelInit = { density: 1, variance: 'he' };
const SPARSE: ModelInit = { density: 0.01, variance: 'he' };
const L1 = (lambda: number) => ({
  dense: { type: 'L1' as const, lambda },
  conv: { type: 'L1' as const, lambda },
});
/** Threshold of the "+ thresh." rows: |θ| < ε set to zero. */
export const TABLE3_EPSILON = 1e-2;
const THRESH = { epsilon: TABLE3_EPSILON };

/** The methods of Table 3 (hyperparameters not listed by the paper: our choices, untuned). */
export const TABLE3_METHODS: MethodSpec[] = [
  {
    id: 'sgd-momentum',
    label: 'SGD with momentum',
    optimizer: { kind: 'momentum', learningRate: 0.1, momentum: 0.9 },
    regularization: {},
    init: DENSE,
  },
  {
    id: 'adam',
    label: 'Adam',
    optimizer: { kind: 'adam', learningRate: 1e-3 },
    regularization: {},
    init: DENSE,
  },
  {
    id: 'lasso-adam',
    label: 'Adam on L + J',
    optimizer: { kind: 'adam', learningRate: 1e-3 },
    regularization: {},
    penalty: L1(5e-5),
    threshold: THRESH,
    init: DENSE,
  },
  ...bregmanMethods(
    '',
    { learningRate: 0.1, regularization: L1(0.05) },
    { learningRate: 1e-3, regularization: L1(0.05) },
    { threshold: THRESH, init: SPARSE },
  ),
];

function runs(profile: ProfileName, seeds?: number): RunSpec[] {
  const settings = CIFAR_PROFILES[profile];
  const data: DataSpec = {
    dataset: settings.dataset,
    validationSize: settings.dataset === 'cifar10' ? 5000 : 64,
    splitSeed: 0,
    layout: 'image',
    augment: { cropPadding: 4, horizontalFlip: true },
    ...settings.limits,
  };
  return seedRuns(
    'table3',
    profile,
    TABLE3_METHODS,
    seeds ?? settings.seeds,
    {
      data,
      model: { kind: 'resnet18', init: DENSE },
      loss: 'crossentropy',
      epochs: settings.epochs,
      batchSize: 128,
      plateau: PAPER_PLATEAU,
    },
    () => ({ trainEvaluation: 10000 }),
  );
}

/**
 * ResNet-18's training speed on one wasm thread, images per second: `pnpm bench --models
 * resnet18` (batch 16, 20 steps, median ms/step: SGD 1,268, LinBreg 1,273, Adam 1,349,
 * AdaBreg 1,305; 16 images per 1,299 ms on average) on an idle 2-core AMD EPYC, 2026-12-05,
 * with `@bregman/runtime`'s WebAssembly SIMD GEMM and convolutions (9.8 with its first SIMD
 * kernels, 8.5 before them).
 */
export const RESNET18_WASM_IMAGES_PER_SECOND = 12.3;

/** Training images of one Table 3 epoch in a profile. */
function trainingImages(profile: ProfileName): number {
  const { trainLimit } = CIFAR_PROFILES[profile].limits;
  // CIFAR-10's 50,000 training images less the 5,000 of the validation split
  return trainLimit ?? 45000;
}

/** The command that runs Table 3 in `profile`, and what its epochs cost on the CPU. */
function running(profile: ProfileName): string {
  const { epochs, dataset } = CIFAR_PROFILES[profile];
  const images = trainingImages(profile);
  const count = runs(profile).length;
  const perEpoch = images / RESNET18_WASM_IMAGES_PER_SECOND;
  const data = dataset === 'cifar10-synthetic' ? '' : ' --data-dir DIR';
  const command = `pnpm repro table3${data} --profile ${profile}`;
  return (
    `To run it: \`${command}\`: ${count} runs × ${epochs} epoch${epochs === 1 ? '' : 's'} on ${images.toLocaleString('en')} training images. ` +
    `Expected training time per epoch of one run (the steps alone; evaluation adds forward passes over the validation, test and up to 10,000 training images): ` +
    `~${duration(perEpoch)} on one wasm thread, at the ~${RESNET18_WASM_IMAGES_PER_SECOND} images/s that \`pnpm bench\` measured for ResNet-18 on an idle 2-core AMD EPYC (batch 16), ` +
    `so ~${duration(count * epochs * perEpoch)} for the whole profile on one thread. ` +
    '`--threads N` trains each run data parallel on N cores (ResNet-18 with 2 threads: 1.69× the steps per second of one at batch 16, `pnpm bench --workers 2`, idle 2-core AMD EPYC). ' +
    'webgpu on a GPU is not measured yet (no GPU machine so far); `pnpm bench --backends webgpu --models resnet18` measures the step on yours.'
  );
}

/** Table 3: ℓ1-sparse ResNet-18 on CIFAR-10 (paper §4.5). Needs the user's CIFAR-10 files. */
export const table3: Experiment = {
  id: 'table3',
  title: 'Table 3 — ℓ1 sparsity on CIFAR-10 (ResNet-18)',
  referenceKey: 'table3_cifar10_resnet18',
  setup: (profile) => {
    const s = CIFAR_PROFILES[profile];
    const data =
      s.dataset === 'cifar10-synthetic'
        ? `a synthetic set in the official CIFAR-10 binary format (${s.limits.trainLimit} training images; it tests the pipeline, its numbers mean nothing)`
        : `CIFAR-10 from --data-dir${s.limits.trainLimit ? ` (the first ${s.limits.trainLimit} training, ${s.limits.validationLimit} validation, ${s.limits.testLimit} test images)` : ', 45,000 / 5,000 / 10,000'}`;
    return (
      `ResNet-18 (CIFAR variant: 3×3 stem, no max-pool), ${data}, random crops (padding 4) and flips, batch 128, ` +
      `${s.epochs} epochs, ${s.seeds} seed, ℓ1 on all kernels. Hyperparameters are ours (untuned; the paper does not list them): ` +
      'SGD with momentum τ = 0.1, β = 0.9; Adam τ = 1e-3; lasso by Adam with λ = 5e-5 in the loss; LinBreg (± momentum 0.9) ' +
      `τ = 0.1, λ = 0.05; AdaBreg τ = 1e-3, λ = 0.05 (the paper: τ = 1e-3); Bregman runs start from 1% non-zero weights. ` +
      `"+ thresh." rows set |θ| < ${TABLE3_EPSILON} to zero in the kept model.`
    );
  },
  runs,
  running,
  figures: [],
  tables: [
    {
      title: 'Table 3: sparsity levels and accuracies on CIFAR-10',
      referenceKey: 'table3_cifar10_resnet18',
      columns: [COLUMNS.nTotal, COLUMNS.nConv, COLUMNS.testAccuracy, COLUMNS.trainAccuracy],
      rows: [
        { strategy: 'Vanilla', optimizer: 'SGD with momentum', method: 'sgd-momentum' },
        { strategy: 'Vanilla', optimizer: 'Adam', method: 'adam' },
        { strategy: 'Lasso', optimizer: 'Adam', method: 'lasso-adam' },
        { strategy: 'Lasso', optimizer: 'Adam + thresh.', method: 'lasso-adam', thresholded: true },
        ...bregmanRows('', true),
      ],
    },
  ],
  claims: [],
};
