import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { GroupL12 } from './group-l12.js';
import { SparseGroupLasso } from './sparse-group-lasso.js';

/** Deterministic non-zero pseudo-random entries in [0.5, 1.5) with random sign. */
function entries(n: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    const u = s / 2147483648;
    return (u < 0.5 ? -1 : 1) * (0.5 + ((u * 2) % 1));
  });
}

describe('group layouts (DESIGN.md "tfjs layouts")', () => {
  it('neuron groups on a dense kernel [nIn, nOut] zero whole columns', () => {
    const [nIn, nOut] = [6, 5];
    // Column j is scaled by scales[j]: small columns fall below δλ√nIn and must vanish.
    const scales = [0.01, 2, 0.02, 3, 0.015];
    const base = entries(nIn * nOut, 7);
    const values = base.map((v, i) => v * (scales[i % nOut] as number));
    const J = new GroupL12({ lambda: 0.1, reduceAxes: [0] });
    const out = tf.tidy(() =>
      J.prox(tf.tensor2d(values, [nIn, nOut]), 1).arraySync(),
    ) as number[][];
    for (let j = 0; j < nOut; j++) {
      const column = out.map((row) => row[j] as number);
      if ((scales[j] as number) < 0.1) expect(column.every((v) => v === 0)).toBe(true);
      else expect(column.every((v) => v !== 0)).toBe(true);
    }
    // rows are not groups: every row keeps its entries in the surviving columns
    for (const row of out) expect(row.filter((v) => v !== 0)).toHaveLength(2);
  });

  it('kernel groups on a conv kernel [kh, kw, cin, cout] zero whole [kh, kw] slices', () => {
    const [kh, kw, cin, cout] = [3, 3, 2, 4];
    // slice (ci, co) is alive when (ci + co) is odd, tiny otherwise
    const alive = (ci: number, co: number) => (ci + co) % 2 === 1;
    const base = entries(kh * kw * cin * cout, 11);
    const values = base.map((v, i) => {
      const co = i % cout;
      const ci = Math.floor(i / cout) % cin;
      return alive(ci, co) ? v : v * 1e-3;
    });
    const J = new GroupL12({ lambda: 0.05, reduceAxes: [0, 1] });
    const out = tf.tidy(() =>
      J.prox(tf.tensor4d(values, [kh, kw, cin, cout]), 1).arraySync(),
    ) as number[][][][];
    for (let ci = 0; ci < cin; ci++) {
      for (let co = 0; co < cout; co++) {
        const slice = out.flatMap((r) => r.map((c) => c[ci]?.[co] as number));
        expect(slice).toHaveLength(kh * kw);
        if (alive(ci, co)) expect(slice.every((v) => v !== 0)).toBe(true);
        else expect(slice.every((v) => v === 0)).toBe(true);
      }
    }
  });

  it('the group weight is √(group size): a group survives iff ‖x_g‖ > δλ√n_g', () => {
    const J = new GroupL12({ lambda: 0.5, reduceAxes: [0, 1] });
    // 2×2 slices (n_g = 4, threshold δλ√n_g = 1) with norms 0.99 and 1.01
    const x = tf.tensor4d([0.495, 0.505, 0.495, 0.505, 0.495, 0.505, 0.495, 0.505], [2, 2, 1, 2]);
    const out = tf.tidy(() => J.prox(x, 1).arraySync()) as number[][][][];
    x.dispose();
    const slice = (co: number) => out.flatMap((r) => r.map((c) => c[0]?.[co] as number));
    expect(slice(0).every((v) => v === 0)).toBe(true);
    expect(slice(1).every((v) => v > 0)).toBe(true);
  });

  it('sparse group lasso zeroes whole groups and single entries', () => {
    const J = new SparseGroupLasso({ lambda: 0.1, reduceAxes: [0] });
    const x = tf.tensor2d(
      [
        [1.0, 0.05],
        [0.05, 0.05],
        [1.0, 0.05],
      ],
      [3, 2],
    );
    const out = tf.tidy(() => J.prox(x, 1).arraySync()) as number[][];
    x.dispose();
    expect(out.map((r) => r[1])).toEqual([0, 0, 0]); // column 1 dies (all entries < δλ)
    expect(out[1]?.[0]).toBe(0); // a single small entry of a live column dies too
    expect(out[0]?.[0]).toBeGreaterThan(0);
  });
});
