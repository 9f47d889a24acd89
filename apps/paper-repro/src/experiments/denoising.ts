import { join } from 'node:path';
import { tileGrid } from '../render/png.js';
import { renderSvg } from '../render/svg.js';
import { markdownTable } from '../render/text.js';
import type { MethodSpec, ProfileName, RunSpec } from '../shared/spec.js';
import { writeFileAtomic } from '../storage/atomic-write.js';
import { readCheckpoint } from '../storage/checkpoint.js';
import type { RunRecord } from '../storage/run-record.js';
import { pct, verdict, withRuns } from './claim-helpers.js';
import type { ClaimVerdict, Experiment, ExperimentRuns } from './experiment.js';
import { mnistSplit, PAPER_PLATEAU, type ProfileSettings, seedRuns } from './seed-runs.js';

/** Epochs, seeds and data of the denoising experiment per profile. */
export const DENOISING_PROFILES: Record<ProfileName, ProfileSettings> = {
  // the paper does not say how many epochs or seeds; 100 like its other experiments
  paper: { epochs: 100, seeds: 3, limits: {} },
  // the paper's settings: ~45 s per epoch on one wasm thread
  quick: { epochs: 100, seeds: 3, limits: {} },
  smoke: {
    epochs: 2,
    seeds: 1,
    limits: { trainLimit: 1024, validationLimit: 256, testLimit: 256 },
  },
};

/** LinBreg with neuron (row) sparsity, the same λ on every layer (§4.6). */
export const DENOISER_METHOD: MethodSpec = {
  id: 'linbreg-neurons',
  label: 'LinBreg, neuron sparsity',
  optimizer: { kind: 'linbreg', learningRate: 0.1 },
  regularization: { dense: { type: 'GroupL12', lambda: 0.01, reduceAxes: [0] } },
};

function denoisingRuns(experiment: string, profile: ProfileName, seeds?: number): RunSpec[] {
  const settings = DENOISING_PROFILES[profile];
  return seedRuns(
    experiment,
    profile,
    [DENOISER_METHOD],
    seeds ?? settings.seeds,
    {
      data: { ...mnistSplit('mnist', 'flat', settings.limits), target: 'image', noiseStd: 0.05 },
      model: {
        kind: 'denoiser',
        width: 784,
        hiddenLayers: 5,
        init: { density: 0.01, groups: { dense: 'neuron' }, variance: 'he' },
      },
      loss: 'mse',
      epochs: settings.epochs,
      batchSize: 128,
      plateau: PAPER_PLATEAU,
    },
    () => ({ compact: true, denoisedSamples: 8 }),
  );
}

function setup(profile: ProfileName): string {
  const { epochs, seeds, limits } = DENOISING_PROFILES[profile];
  const h = DENOISER_METHOD.optimizer.learningRate;
  const lambda = DENOISER_METHOD.regularization.dense!.lambda;
  return (
    `MNIST denoising${limits.trainLimit ? ` (the first ${limits.trainLimit} training images)` : ''}: inputs with additive Gaussian noise ` +
    `(std 0.05 in [0, 1] pixel units), target the clean image, MSE loss; the net has 6 Dense layers 784 → 784 (5 hidden), ReLU. ` +
    `LinBreg τ = ${h}, neuron (row) sparsity J = λ Σ √784 ‖column‖₂ with λ = ${lambda} on every layer, ` +
    `init with 1% of the neurons alive (He-normal on their weights), ${epochs} epochs (the paper does not say how many), ${seeds} seed${seeds === 1 ? '' : 's'}; ` +
    'the kept model has the lowest validation loss. λ was not tuned.'
  );
}

/** Epochs shown in Fig. 4: about six stages of training, the last epoch included. */
function stages(epochs: number): number[] {
  return [
    ...new Set(
      [0, 1, 0.1, 0.25, 0.5, 0.75]
        .map((f) => Math.min(epochs, f < 1 ? Math.round(f * epochs) : f))
        .concat(epochs),
    ),
  ].sort((a, b) => a - b);
}

/** Whether hidden-layer widths fall (weakly) to an inner minimum and rise (weakly) again. */
function autoencoderShape(hidden: readonly number[]): boolean {
  const middle = Math.min(...hidden);
  const at = hidden.indexOf(middle);
  const falls = hidden.slice(0, at + 1).every((n, i, a) => i === 0 || n <= a[i - 1]!);
  const rises = hidden.slice(at).every((n, i, a) => i === 0 || n >= a[i - 1]!);
  return (
    at > 0 &&
    at < hidden.length - 1 &&
    falls &&
    rises &&
    hidden[0]! > middle &&
    hidden.at(-1)! > middle
  );
}

/**
 * "holds" when every seed's run holds; the evidence is `intro`, then each seed's (with how
 * many seeds hold, when there are several).
 */
function everySeed(
  records: RunRecord[],
  intro: string,
  check: (record: RunRecord) => { holds: boolean; evidence: string },
): ClaimVerdict {
  const results = records.map(check);
  const held = results.filter((r) => r.holds).length;
  const each =
    records.length === 1
      ? results[0]!.evidence
      : `${held} of ${records.length} seeds hold; ${results.map((r, i) => `seed ${records[i]!.spec.seed}: ${r.evidence}`).join('; ')}`;
  return { verdict: verdict(held === records.length), evidence: `${intro} ${each}.` };
}

const ACTIVE_CLAIMS = [
  {
    text: 'about 1% of the rows (8 neurons per 784-wide layer) are non-zero at initialization',
    check: (runs: ExperimentRuns) =>
      withRuns(runs, [DENOISER_METHOD.id], (r) =>
        everySeed(
          r,
          'Active neurons per layer at initialization, of 784 (holds if each is 1–20):',
          (record) => {
            const initial = record.epochs[0]!.activeNeurons;
            return { holds: initial.every((n) => n >= 1 && n <= 20), evidence: initial.join(', ') };
          },
        ),
      ),
  },
  {
    text: 'LinBreg with row sparsity adds neurons over training and converges to an autoencoder shape: active neurons decrease toward the middle layer and increase again',
    check: (runs: ExperimentRuns) =>
      withRuns(runs, [DENOISER_METHOD.id], (r) =>
        everySeed(
          r,
          'Active neurons per layer, at initialization → after the last epoch (holds if they grew and the 5 hidden widths fall to an inner minimum and rise again):',
          (record) => {
            const first = record.epochs[0]!.activeNeurons;
            const last = record.epochs.at(-1)!.activeNeurons;
            // the output layer has 784 units by design
            const shape = autoencoderShape(last.slice(0, -1));
            const grew = last.reduce((a, b) => a + b, 0) > first.reduce((a, b) => a + b, 0);
            return {
              holds: grew && shape,
              evidence: `${first.join(', ')} → ${last.join(', ')} after epoch ${record.epochs.at(-1)!.epoch}${grew ? '' : ', did not grow'}${shape ? '' : ', no autoencoder shape'}`,
            };
          },
        ),
      ),
  },
  {
    text: 'the same regularization strength is used for every layer',
    check: () => ({
      verdict: 'holds' as const,
      evidence: `by construction: one rule, λ = ${DENOISER_METHOD.regularization.dense!.lambda}, on every Dense kernel.`,
    }),
  },
];

/** Fig. 4: active neurons per layer of the denoiser over training, and `compact()` of the result (§4.6). */
export const fig4: Experiment = {
  id: 'fig4',
  title: 'Fig. 4 — LinBreg unveils an autoencoder (MNIST denoising)',
  referenceKey: 'fig4_denoiser',
  setup,
  runs: (profile, seeds) => denoisingRuns('fig4', profile, seeds),
  figures: [],
  claims: ACTIVE_CLAIMS,
  draw: async (runs, dir) => {
    const record = runs.methods[0]?.runs[0];
    if (!record) return [];
    const shown = new Set(stages(record.epochs.at(-1)!.epoch));
    const rows = record.epochs
      .filter((e) => shown.has(e.epoch))
      .flatMap((e) => e.activeNeurons.map((n, i) => ({ layer: i + 1, active: n, epoch: e.epoch })));
    const svg = await renderSvg({
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: `Active neurons per layer (darker = later in training)${runs.methods[0]!.runs.length > 1 ? `, seed ${record.spec.seed}` : ''}`,
      width: 420,
      height: 240,
      data: { values: rows },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'layer', type: 'ordinal', title: 'layer (6 = output)' },
        y: { field: 'active', type: 'quantitative', title: 'active neurons' },
        color: { field: 'epoch', type: 'ordinal', scale: { scheme: 'blues' }, title: 'epoch' },
      },
      config: { font: 'sans-serif' },
    });
    const path = join(dir, 'fig4.svg');
    writeFileAtomic(path, svg);
    return [path];
  },
  notes: (runs) => {
    const record = runs.methods[0]?.runs[0];
    const compacted = record?.finish?.compacted;
    if (!compacted) return '';
    return [
      '### `compact()` of the trained denoiser',
      '',
      `Dead neurons removed, the same function: ${compacted.paramsBefore.toLocaleString('en')} → ` +
        `${compacted.paramsAfter.toLocaleString('en')} parameters (${pct(compacted.paramsAfter / compacted.paramsBefore)}).`,
      '',
      markdownTable(
        ['layer', 'units before', 'units after'],
        compacted.layers.map((l) => [l.name, String(l.before), String(l.after)]),
      ),
      '',
      `Layer widths of the compact net: 784 → ${compacted.layers.map((l) => l.after).join(' → ')}.`,
    ].join('\n');
  },
};

/** Fig. 5: noisy input, denoised output and clean target for MNIST test images (the run of Fig. 4). */
export const fig5: Experiment = {
  id: 'fig5',
  title: 'Fig. 5 — denoised MNIST test images',
  referenceKey: 'fig5',
  setup: (profile) =>
    `${setup(profile)} The same run as Fig. 4 (shared). Rows: noisy input, output of the kept model, clean target; the first 8 test images.`,
  runs: (profile, seeds) => denoisingRuns('fig5', profile, seeds),
  figures: [],
  claims: [],
  draw: async (runs, dir, outDir) => {
    const record = runs.methods[0]?.runs[0];
    const file = record?.finish?.artifacts.find((f) => f.endsWith('denoised.bin'));
    if (!file) return [];
    const samples = readCheckpoint(join(outDir, file))!;
    const tiles = samples.tensors.flatMap((t) => {
      const [n, h, w] = t.shape as [number, number, number];
      return Array.from({ length: n }, (_, i) => ({
        height: h,
        width: w,
        values: t.values.subarray(i * h * w, (i + 1) * h * w),
      }));
    });
    const path = join(dir, 'fig5.png');
    writeFileAtomic(
      path,
      tileGrid(tiles, { columns: tiles.length / 3, low: 0, high: 1, gap: 2, scale: 2 }),
    );
    return [path];
  },
};
