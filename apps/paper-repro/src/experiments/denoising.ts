import { join } from 'node:path';
import { tileGrid } from '../render/png.js';
import { renderSvg } from '../render/svg.js';
import { markdownTable } from '../render/text.js';
import type { MethodSpec, ProfileName, RunSpec } from '../shared/spec.js';
import { writeFileAtomic } from '../storage/atomic-write.js';
import { readCheckpoint } from '../storage/checkpoint.js';
import type { RunRecord } from '../storage/run-record.js';
import { pct, runsOf, verdict, withRuns } from './claim-helpers.js';
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

/** The sparse initialization of the denoiser: ~1% of the neurons alive (§4.6). */
const NEURON_INIT = { density: 0.01, groups: { dense: 'neuron' }, variance: 'he' } as const;

/**
 * Beyond the paper: the denoiser as the authors' code trains it. The paper's text says
 * LinBreg and states no τ, λ or epochs; the authors' only denoising code (the notebook
 * `notebooks/Skip-Encoder.ipynb` of github.com/TimRoith/BregmanLearning, every version of
 * it, test case 0: no skip connections, no blur) trains AdaBreg with τ = 10⁻³, the same
 * row-sparsity rule with λ = 0.07, He-normal weights × 5 before 1% of the rows are kept
 * (here: the 1/r variance, ×10 in standard deviation, with gain 0.5), positive uniform
 * biases, 100 epochs, halving τ on a training-loss plateau.
 */
export const DENOISER_AUTHORS_METHOD: MethodSpec = {
  id: 'adabreg-neurons-authors',
  label: 'AdaBreg, neuron sparsity (the authors’ code)',
  optimizer: { kind: 'adabreg', learningRate: 1e-3 },
  regularization: { dense: { type: 'GroupL12', lambda: 0.07, reduceAxes: [0] } },
  init: { ...NEURON_INIT, gain: 0.5 },
};

/**
 * Seeds of {@link DENOISER_AUTHORS_METHOD} per profile (`--seeds` overrides): one in
 * `quick`, where its 100 epochs cost ~80 minutes of one core.
 */
export const DENOISER_AUTHORS_SEEDS: Record<ProfileName, number> = { paper: 3, quick: 1, smoke: 1 };

function denoisingRuns(
  experiment: string,
  profile: ProfileName,
  seeds: number | undefined,
  withAuthors: boolean,
): RunSpec[] {
  const settings = DENOISING_PROFILES[profile];
  const shared = {
    data: {
      ...mnistSplit('mnist', 'flat', settings.limits),
      target: 'image' as const,
      noiseStd: 0.05,
    },
    model: { kind: 'denoiser' as const, width: 784, hiddenLayers: 5, init: NEURON_INIT },
    loss: 'mse' as const,
    epochs: settings.epochs,
    batchSize: 128,
    plateau: PAPER_PLATEAU,
  };
  const finish = () => ({ compact: true, denoisedSamples: 8 });
  return [
    ...seedRuns(experiment, profile, [DENOISER_METHOD], seeds ?? settings.seeds, shared, finish),
    ...(withAuthors
      ? seedRuns(
          experiment,
          profile,
          [DENOISER_AUTHORS_METHOD],
          seeds ?? DENOISER_AUTHORS_SEEDS[profile],
          shared,
          finish,
        )
      : []),
  ];
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

/** The first run of `method` among `runs`, if there is one. */
function firstRun(runs: ExperimentRuns, method: MethodSpec): RunRecord | undefined {
  return runsOf(runs, method.id)?.[0];
}

/** Fig. 4's plot for one run: active neurons per layer at about six stages of training. */
async function activeNeuronsSvg(record: RunRecord, seeds: number): Promise<string> {
  const shown = new Set(stages(record.epochs.at(-1)!.epoch));
  const rows = record.epochs
    .filter((e) => shown.has(e.epoch))
    .flatMap((e) => e.activeNeurons.map((n, i) => ({ layer: i + 1, active: n, epoch: e.epoch })));
  return renderSvg({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${record.spec.method.label}: active neurons per layer (darker = later in training)${seeds > 1 ? `, seed ${record.spec.seed}` : ''}`,
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
}

/** The `compact()` section of a trained denoiser's run. */
function compactNotes(record: RunRecord | undefined, heading: string): string[] {
  const compacted = record?.finish?.compacted;
  if (!compacted) return [];
  return [
    heading,
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
  ];
}

/**
 * The epochs after which a run's hidden widths had the autoencoder shape, as ranges
 * ("3–41, 45"), or "none": the shape can come and go during training.
 */
export function shapeEpochs(record: RunRecord): string {
  const ranges: [number, number][] = [];
  for (const { epoch, activeNeurons } of record.epochs) {
    if (epoch === 0 || !autoencoderShape(activeNeurons.slice(0, -1))) continue;
    const open = ranges.at(-1);
    if (open && open[1] === epoch - 1) open[1] = epoch;
    else ranges.push([epoch, epoch]);
  }
  if (ranges.length === 0) return 'none';
  return ranges.map(([a, b]) => (a === b ? `${a}` : `${a}–${b}`)).join(', ');
}

/** One run's widths and whether they have the autoencoder shape, for the notes. */
function shapeLine(record: RunRecord): string {
  const first = record.epochs[0]!.activeNeurons;
  const last = record.epochs.at(-1)!;
  const shape = autoencoderShape(last.activeNeurons.slice(0, -1));
  const loss = record.best?.validationLoss;
  return (
    `- seed ${record.spec.seed}: ${first.join(', ')} → ${last.activeNeurons.join(', ')} after epoch ${last.epoch} ` +
    `(${shape ? 'the autoencoder shape' : 'no autoencoder shape'}; the shape after epochs: ${shapeEpochs(record)}; ` +
    `best validation loss ${typeof loss === 'number' ? loss.toFixed(4) : 'n/a'})`
  );
}

/** The notes on the run with the authors' code settings, beside the paper's method. */
function authorsNotes(runs: ExperimentRuns): string[] {
  const authors = runsOf(runs, DENOISER_AUTHORS_METHOD.id);
  if (!authors) return [];
  const paper = runsOf(runs, DENOISER_METHOD.id) ?? [];
  const h = DENOISER_AUTHORS_METHOD;
  return [
    '',
    '### Beyond the paper: the settings of the authors’ code',
    '',
    `The paper's text names LinBreg and states no τ, λ or number of epochs for this experiment. The authors' ` +
      'only denoising code (`notebooks/Skip-Encoder.ipynb` of github.com/TimRoith/BregmanLearning, test case 0) trains ' +
      `AdaBreg with τ = ${h.optimizer.learningRate}, λ = ${h.regularization.dense!.lambda} (the same row-sparsity rule), ` +
      'He-normal weights × 5 before 1% of the rows are kept, for 100 epochs. The same net and data with those settings ' +
      '(active neurons per layer, at initialization → after the last epoch; the first five are the hidden layers):',
    '',
    ...authors.map(shapeLine),
    '',
    `${DENOISER_METHOD.label} (τ = ${DENOISER_METHOD.optimizer.learningRate}, λ = ${DENOISER_METHOD.regularization.dense!.lambda}), for comparison:`,
    '',
    ...paper.map(shapeLine),
    '',
    ...compactNotes(authors[0], `#### \`compact()\` of the ${h.label} run`),
  ];
}

/** Fig. 4: active neurons per layer of the denoiser over training, and `compact()` of the result (§4.6). */
export const fig4: Experiment = {
  id: 'fig4',
  title: 'Fig. 4 — LinBreg unveils an autoencoder (MNIST denoising)',
  referenceKey: 'fig4_denoiser',
  setup: (profile) =>
    `${setup(profile)} Beyond the paper, the same experiment with the settings of the authors' code: ` +
    `AdaBreg τ = ${DENOISER_AUTHORS_METHOD.optimizer.learningRate}, ` +
    `λ = ${DENOISER_AUTHORS_METHOD.regularization.dense!.lambda}, He-normal × 5, ` +
    `${DENOISER_AUTHORS_SEEDS[profile]} seed${DENOISER_AUTHORS_SEEDS[profile] === 1 ? '' : 's'}; the claims are judged on the paper's LinBreg runs.`,
  runs: (profile, seeds) => denoisingRuns('fig4', profile, seeds, true),
  figures: [],
  claims: ACTIVE_CLAIMS,
  draw: async (runs, dir) => {
    const paths: string[] = [];
    for (const [method, file] of [
      [DENOISER_METHOD, 'fig4.svg'],
      [DENOISER_AUTHORS_METHOD, 'fig4-authors-code.svg'],
    ] as const) {
      const records = runsOf(runs, method.id);
      if (!records) continue;
      const path = join(dir, file);
      writeFileAtomic(path, await activeNeuronsSvg(records[0]!, records.length));
      paths.push(path);
    }
    return paths;
  },
  notes: (runs) =>
    [
      ...compactNotes(firstRun(runs, DENOISER_METHOD), '### `compact()` of the trained denoiser'),
      ...authorsNotes(runs),
    ].join('\n'),
};

/** Fig. 5: noisy input, denoised output and clean target for MNIST test images (the run of Fig. 4). */
export const fig5: Experiment = {
  id: 'fig5',
  title: 'Fig. 5 — denoised MNIST test images',
  referenceKey: 'fig5',
  setup: (profile) =>
    `${setup(profile)} The same run as Fig. 4 (shared). Rows: noisy input, output of the kept model, clean target; the first 8 test images.`,
  runs: (profile, seeds) => denoisingRuns('fig5', profile, seeds, false),
  figures: [],
  claims: [],
  draw: async (runs, dir, outDir) => {
    const record = firstRun(runs, DENOISER_METHOD);
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
