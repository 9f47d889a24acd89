import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../storage/run-record.js';
import { DENOISER_METHOD, fig4 } from './denoising.js';

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
  it('the profiles train 100 epochs with 3 seeds (quick and paper)', () => {
    for (const profile of ['quick', 'paper'] as const) {
      const specs = fig4.runs(profile);
      expect(specs.map((s) => s.seed)).toEqual([1, 2, 3]);
      expect(specs.every((s) => s.epochs === 100)).toBe(true);
    }
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
