import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../storage/run-record.js';
import { DENOISER_AUTHORS_METHOD, DENOISER_METHOD, fig4, fig5, shapeEpochs } from './denoising.js';

/** A denoiser run of `seed` whose active neurons per layer go `first` → `last`. */
function run(seed: number, first: number[], last: number[]): RunRecord {
  return {
    spec: { seed, method: DENOISER_METHOD },
    epochs: [
      { epoch: 0, activeNeurons: first },
      { epoch: 100, activeNeurons: last },
    ],
  } as unknown as RunRecord;
}

const judge = (runs: RunRecord[]) =>
  fig4.claims.map((c) => c.check({ methods: [{ method: DENOISER_METHOD, runs }] }));

const START = [9, 8, 11, 9, 6, 11];
const AUTOENCODER = [120, 60, 30, 45, 90, 784];

describe('Fig. 4 claims over seeds', () => {
  it('the profiles train 100 epochs with 3 seeds (quick and paper), the authors’ settings with 1 in quick', () => {
    for (const [profile, authorsSeeds] of [
      ['quick', [1]],
      ['paper', [1, 2, 3]],
    ] as const) {
      const specs = fig4.runs(profile);
      const seedsOf = (id: string) => specs.filter((s) => s.method.id === id).map((s) => s.seed);
      expect(seedsOf(DENOISER_METHOD.id)).toEqual([1, 2, 3]);
      expect(seedsOf(DENOISER_AUTHORS_METHOD.id)).toEqual(authorsSeeds);
      expect(specs.every((s) => s.epochs === 100)).toBe(true);
    }
    // --seeds N applies to both; Fig. 5 shows the paper's method only
    expect(fig4.runs('quick', 2).map((s) => s.runId)).toEqual([
      'linbreg-neurons-s1',
      'linbreg-neurons-s2',
      'adabreg-neurons-authors-s1',
      'adabreg-neurons-authors-s2',
    ]);
    expect(new Set(fig5.runs('quick').map((s) => s.method.id))).toEqual(
      new Set([DENOISER_METHOD.id]),
    );
  });

  it('the authors’ settings: AdaBreg τ = 1e-3, λ = 0.07 on every layer, He-normal × 5 on 1% of the rows', () => {
    const spec = fig4.runs('quick').find((s) => s.method.id === DENOISER_AUTHORS_METHOD.id)!;
    expect(spec.method.optimizer).toEqual({ kind: 'adabreg', learningRate: 1e-3 });
    expect(spec.method.regularization).toEqual({
      dense: { type: 'GroupL12', lambda: 0.07, reduceAxes: [0] },
    });
    // the 1/r variance is ×10 in standard deviation at r = 0.01; gain 0.5 makes it ×5
    expect(spec.method.init).toMatchObject({
      density: 0.01,
      groups: { dense: 'neuron' },
      gain: 0.5,
    });
  });

  it('notes put the authors’ settings beside the paper’s method, seed by seed', () => {
    const authorsRun = {
      ...run(1, START, AUTOENCODER),
      spec: { seed: 1, method: DENOISER_AUTHORS_METHOD },
    } as unknown as RunRecord;
    const notes = fig4.notes!({
      methods: [
        { method: DENOISER_METHOD, runs: [run(1, START, [15, 8, 11, 38, 18, 22])] },
        { method: DENOISER_AUTHORS_METHOD, runs: [authorsRun] },
      ],
    });
    expect(notes).toContain('the settings of the authors’ code');
    expect(notes).toContain(
      '- seed 1: 9, 8, 11, 9, 6, 11 → 120, 60, 30, 45, 90, 784 after epoch 100 (the autoencoder shape; the shape after epochs: 100; best validation loss n/a)',
    );
    expect(notes).toContain(
      '→ 15, 8, 11, 38, 18, 22 after epoch 100 (no autoencoder shape; the shape after epochs: none;',
    );
    // the claims stay the paper's: judged on LinBreg alone
    expect(judge([run(1, START, START)])[1]!.verdict).toBe('does not hold');
  });

  it('the epochs after which the shape held, as ranges (it can come and go)', () => {
    const widths = [START, [20, 9, 5, 9, 30, 50], AUTOENCODER, START, AUTOENCODER, AUTOENCODER];
    // a funnel (falls to the last hidden layer) is not the shape, nor is the start
    widths.push([406, 312, 199, 152, 70, 505], AUTOENCODER);
    const record = {
      spec: { seed: 1, method: DENOISER_AUTHORS_METHOD },
      epochs: widths.map((activeNeurons, epoch) => ({ epoch, activeNeurons })),
    } as unknown as RunRecord;
    expect(shapeEpochs(record)).toBe('1–2, 4–5, 7');
    expect(shapeEpochs(run(1, AUTOENCODER, START))).toBe('none');
  });

  it('hold when every seed grows into an autoencoder shape, with each seed’s evidence', () => {
    const [initial, shape] = judge([run(1, START, AUTOENCODER), run(2, START, AUTOENCODER)]);
    expect(initial!.verdict).toBe('holds');
    expect(shape!.verdict).toBe('holds');
    expect(shape!.evidence).toContain('2 of 2 seeds hold');
    expect(shape!.evidence).toContain('seed 2: 9, 8, 11, 9, 6, 11 → 120, 60, 30, 45, 90, 784');
  });

  it('do not hold when one seed fails, and say which', () => {
    const flat = [40, 40, 40, 40, 40, 784]; // grew, but no inner minimum
    const [initial, shape] = judge([
      run(1, START, AUTOENCODER),
      run(2, [9, 30, 11, 9, 6, 11], flat),
    ]);
    expect(initial!.verdict).toBe('does not hold');
    expect(initial!.evidence).toContain('1 of 2 seeds hold');
    expect(shape!.verdict).toBe('does not hold');
    expect(shape!.evidence).toContain(
      'seed 2: 9, 30, 11, 9, 6, 11 → 40, 40, 40, 40, 40, 784 after epoch 100, no autoencoder shape',
    );
  });

  it('one seed: its evidence alone', () => {
    const [, shape] = judge([run(1, START, START)]);
    expect(shape!.verdict).toBe('does not hold');
    expect(shape!.evidence).not.toContain('seeds hold');
    expect(shape!.evidence).toContain('did not grow');
  });
});
