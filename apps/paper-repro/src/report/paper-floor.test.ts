import { describe, expect, it } from 'vitest';
import type { MeanStd } from '../experiments/aggregate.js';
import { table2 } from '../experiments/table2.js';
import { table3 } from '../experiments/table3.js';
import { floorCell, hasFloor } from './paper-floor.js';

const one = (mean: number): MeanStd => ({ mean, std: 0, n: 1 });
const TABLE2 = table2.tables![0]!;
// the paper's Table 2 LinBreg row
const PAPER = { linear_density: 3.8, conv_kernel_density: 4.2, test_acc: 89.5, train_acc: 93.1 };

describe('the floor column of the paper tables', () => {
  it('yes inside ±30% density and ±3 points test accuracy, on both sides', () => {
    const ours = { nLinear: one(0.038 * 1.29), nConv: one(0.042 * 0.71), testAccuracy: one(0.865) };
    expect(floorCell(TABLE2, { ...ours, trainAccuracy: one(0.5) }, PAPER)).toBe('yes');
    expect(floorCell(TABLE2, { ...ours, testAccuracy: one(0.925) }, PAPER)).toBe('yes');
  });

  it('no: names each column that misses, density as a ratio and accuracy as a gap', () => {
    const ours = { nLinear: one(0.038 * 1.4), nConv: one(0.042), testAccuracy: one(0.851) };
    expect(floorCell(TABLE2, ours, PAPER)).toBe(
      "no: N_linear 1.40× the paper's, test acc. −4.4 pt",
    );
    expect(
      floorCell(TABLE2, { ...ours, nLinear: one(0.038), testAccuracy: one(0.93) }, PAPER),
    ).toBe('no: test acc. +3.5 pt');
  });

  it('a miss just past a limit shows the digits that put it outside (3.04 points, not 3.0)', () => {
    const ours = { nLinear: one(0.038), nConv: one(0.042), testAccuracy: one(0.8646) };
    expect(floorCell(TABLE2, ours, PAPER)).toBe('no: test acc. −3.04 pt');
    expect(
      floorCell(TABLE2, { ...ours, testAccuracy: one(0.9), nConv: one(0.042 * 1.3004) }, PAPER),
    ).toBe("no: N_conv 1.3004× the paper's");
  });

  it('– when a run or the paper lacks a value', () => {
    const ours = { nLinear: one(0.038), nConv: one(0.042), testAccuracy: one(0.9) };
    expect(floorCell(TABLE2, { ...ours, nConv: { mean: Number.NaN, std: 0, n: 0 } }, PAPER)).toBe(
      '–',
    );
    expect(floorCell(TABLE2, ours, undefined)).toBe('–');
  });

  it('every paper table has a density column and test accuracy', () => {
    expect(hasFloor(TABLE2)).toBe(true);
    expect(hasFloor(table3.tables![0]!)).toBe(true);
  });
});
