import { describe, expect, it } from 'vitest';
import { tableHyperparameters } from './fashion-convnet.js';
import { table1 } from './table1.js';
import { table2 } from './table2.js';

/** Seeds per method id among `specs`. */
function seedsPerMethod(specs: ReturnType<typeof table1.runs>): Record<string, number> {
  const seeds: Record<string, number> = {};
  for (const s of specs) seeds[s.method.id] = (seeds[s.method.id] ?? 0) + 1;
  return seeds;
}

describe('Tables 1–2 in the quick profile', () => {
  it('train on the full 55k / 5k split, 12 epochs; 3 seeds for Table 2’s Bregman rows, 1 for the others', () => {
    for (const [table, tag, bregman] of [
      [table1, 'l1', 1],
      [table2, 'group', 3],
    ] as const) {
      const specs = table.runs('quick');
      expect(new Set(specs.map((s) => s.epochs))).toEqual(new Set([12]));
      expect(specs.every((s) => s.data.trainLimit === undefined)).toBe(true);
      expect(seedsPerMethod(specs)).toEqual({
        adam: 1,
        [`pruning-${tag}`]: 1,
        [`lasso-sgd-${tag}`]: 1,
        [`proxgd-${tag}`]: 1,
        [`linbreg-${tag}`]: bregman,
        [`linbreg-m-${tag}`]: bregman,
        [`adabreg-${tag}`]: bregman,
      });
      // pruning ramps over the first 60% of the epochs
      expect(specs.find((s) => s.method.id === `pruning-${tag}`)!.method.pruning!.endEpoch).toBe(8);
    }
  });

  it('--seeds N gives every row N seeds; smoke and paper have one per row', () => {
    expect(new Set(Object.values(seedsPerMethod(table2.runs('quick', 2))))).toEqual(new Set([2]));
    for (const profile of ['smoke', 'paper'] as const) {
      expect(new Set(Object.values(seedsPerMethod(table1.runs(profile))))).toEqual(new Set([1]));
    }
  });

  it('ProxGD λ per table (quick: 10⁻³ for ℓ1, 1.3·10⁻³ for Table 2); lasso 10⁻³; the specs carry them', () => {
    const lambdas = (profile: 'quick' | 'paper', group: boolean) => {
      const h = tableHyperparameters(profile, group);
      return [h.proxgd.lambda, h.lasso.lambda];
    };
    expect(lambdas('quick', false)).toEqual([1e-3, 1e-3]);
    expect(lambdas('quick', true)).toEqual([1.3e-3, 1e-3]);
    expect(lambdas('paper', false)).toEqual([1e-3, 1e-3]);
    expect(lambdas('paper', true)).toEqual([1e-3, 1e-3]);
    const proxgd = table2.runs('quick').find((s) => s.method.id === 'proxgd-group')!;
    expect(proxgd.method.regularization.dense).toEqual({ type: 'L1', lambda: 1.3e-3 });
    expect(proxgd.method.regularization.conv).toMatchObject({ type: 'GroupL12', lambda: 1.3e-3 });
  });
});
