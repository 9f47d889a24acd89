import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { bregmanDistance, symmetricBregmanDistance } from './bregman-distance.js';
import { elasticNet } from './elastic-net.js';
import { GroupL12 } from './group-l12.js';
import { L1 } from './l1.js';
import { L1Positive } from './l1-positive.js';
import { NoRegularizer } from './no-regularizer.js';
import type { Regularizer } from './regularizer.js';
import { SparseGroupLasso } from './sparse-group-lasso.js';

// NaN in must give NaN out: a weight that has gone NaN must never come back as a finite
// (and wrong) number from a prox or a subgradient, or a diverged run would look healthy.

const nan = Number.NaN;
const inf = Number.POSITIVE_INFINITY;

/** Runs `f` on a float32 tensor of `values` (shape `shape`) and reads the result back. */
function apply(f: (x: tf.Tensor) => tf.Tensor, values: number[], shape = [values.length]) {
  return tf.tidy(() => Array.from(f(tf.tensor(values, shape, 'float32')).dataSync()));
}

/** Columns of a `[rows, cols]` row-major array. */
function columns(values: number[], cols: number): number[][] {
  return Array.from({ length: cols }, (_, c) => values.filter((_, i) => i % cols === c));
}

function expectClose(actual: number[], expected: number[]) {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i] as number;
    if (Number.isNaN(e) || !Number.isFinite(e)) expect(a).toBe(e);
    else expect(Math.abs(a - e)).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(e)));
  });
}

describe('entry-wise regularizers: NaN and ±∞ entries', () => {
  const x = [nan, -inf, inf, -0.5, 0, 0.05, 2];

  it('L1: prox and subgradient keep NaN; ±∞ give their limits', () => {
    const J = new L1({ lambda: 0.1 });
    expectClose(
      apply((t) => J.prox(t, 1), x),
      [nan, -inf, inf, -0.4, 0, 0, 1.9],
    );
    expectClose(
      apply((t) => J.subgradient(t), x),
      [nan, -0.1, 0.1, -0.1, 0, 0.1, 0.1],
    );
  });

  it('L1 with λ = 0: the subgradient is still NaN at NaN', () => {
    expectClose(
      apply((t) => new L1({ lambda: 0 }).subgradient(t), [nan, 1]),
      [nan, 0],
    );
  });

  it('L1Positive: prox and subgradient keep NaN; −∞ is outside the domain', () => {
    const J = new L1Positive({ lambda: 0.1 });
    expectClose(
      apply((t) => J.prox(t, 1), x),
      [nan, 0, inf, 0, 0, 0, 1.9],
    );
    expectClose(
      apply((t) => J.subgradient(t), [nan, -inf, inf, 0, 2]),
      [nan, nan, 0.1, 0, 0.1],
    );
  });

  it('NoRegularizer: prox and subgradient keep NaN; its subgradient is 0 elsewhere', () => {
    const J = new NoRegularizer();
    expectClose(
      apply((t) => J.prox(t, 1), x),
      x,
    );
    expectClose(
      apply((t) => J.subgradient(t), x),
      [nan, 0, 0, 0, 0, 0, 0],
    );
    expectClose(
      apply((t) => J.value(t), x),
      [nan],
    );
    expectClose(
      apply((t) => J.value(t), [-inf, 1]),
      [0],
    );
  });
});

describe('group regularizers: a group with a NaN is NaN, the other groups are untouched', () => {
  // [3, 2] dense kernel, neuron groups = columns (reduceAxes [0]); column 0 holds the
  // non-finite entry, column 1 is clean and must come out as it does on its own.
  const clean = [0.3, -0.4, 1.2];
  const kernel = (bad: number) => [bad, clean[0], 0.5, clean[1], -0.2, clean[2]] as number[];
  const regularizers: Array<[string, Regularizer]> = [
    ['GroupL12', new GroupL12({ lambda: 0.1, reduceAxes: [0] })],
    ['SparseGroupLasso', new SparseGroupLasso({ lambda: 0.1, reduceAxes: [0] })],
    ['elasticNet(GroupL12)', elasticNet(new GroupL12({ lambda: 0.1, reduceAxes: [0] }), 0.5)],
  ];

  for (const [name, J] of regularizers) {
    it(`${name}: prox and subgradient of a NaN group are NaN in every entry`, () => {
      for (const f of [(t: tf.Tensor) => J.prox(t, 1), (t: tf.Tensor) => J.subgradient(t)]) {
        const [bad, good] = columns(apply(f, kernel(nan), [3, 2]), 2) as [number[], number[]];
        expect(bad).toEqual([nan, nan, nan]);
        expectClose(good, apply(f, clean, [3, 1]));
      }
    });

    it(`${name}: value and Bregman distances are NaN when an input is`, () => {
      const read = (s: tf.Scalar) => s.dataSync()[0] as number;
      tf.tidy(() => {
        const a = tf.tensor(kernel(nan), [3, 2]);
        const b = tf.tensor(kernel(0.7), [3, 2]);
        expect(read(J.value(a))).toBeNaN();
        expect(read(bregmanDistance(J, a, b))).toBeNaN();
        expect(read(bregmanDistance(J, b, a))).toBeNaN();
        expect(read(symmetricBregmanDistance(J, a, b))).toBeNaN();
      });
    });
  }

  it('GroupL12: a group with an infinite entry has norm ∞, so its prox keeps it (scale 1)', () => {
    const J = new GroupL12({ lambda: 0.1, reduceAxes: [0] });
    const [bad, good] = columns(
      apply((t) => J.prox(t, 1), kernel(-inf), [3, 2]),
      2,
    ) as [number[], number[]];
    expectClose(bad, [-inf, 0.5, -0.2]);
    expectClose(
      good,
      apply((t) => J.prox(t, 1), clean, [3, 1]),
    );
    expectClose(
      apply((t) => J.value(t), kernel(inf), [3, 2]),
      [inf],
    );
  });

  it('GroupL12: the subgradient of an infinite group points along its infinite entries', () => {
    const J = new GroupL12({ lambda: 0.1, reduceAxes: [0] });
    const w = 0.1 * Math.sqrt(3);
    const one = columns(
      apply((t) => J.subgradient(t), kernel(-inf), [3, 2]),
      2,
    )[0];
    expectClose(one as number[], [-w, 0, 0]);
    const two = apply((t) => J.subgradient(t), [inf, 0.5, -inf], [3, 1]);
    expectClose(two, [w / Math.SQRT2, 0, -w / Math.SQRT2]);
  });

  it('SparseGroupLasso: an infinite group is only soft-thresholded entry-wise', () => {
    const J = new SparseGroupLasso({ lambda: 0.1, reduceAxes: [0] });
    expectClose(
      apply((t) => J.prox(t, 1), [inf, 0.5, -0.05], [3, 1]),
      [inf, 0.4, 0],
    );
  });
});

describe('Bregman distances of entry-wise regularizers are NaN when an input is', () => {
  const regularizers: Regularizer[] = [
    new L1({ lambda: 0.1 }),
    new L1({ lambda: 0 }),
    new L1Positive({ lambda: 0.1 }),
    new NoRegularizer(),
    elasticNet(new L1({ lambda: 0.1 }), 2),
  ];
  it.each(regularizers.map((J) => [J.getConfig().type, J] as const))('%s', (_type, J) => {
    const read = (s: tf.Scalar) => s.dataSync()[0] as number;
    tf.tidy(() => {
      const a = tf.tensor([nan, 0.5, 0]);
      const b = tf.tensor([0.2, 0.5, 1]);
      expect(read(bregmanDistance(J, a, b))).toBeNaN();
      expect(read(bregmanDistance(J, b, a))).toBeNaN();
      expect(read(symmetricBregmanDistance(J, a, b))).toBeNaN();
      expect(read(symmetricBregmanDistance(J, b, a))).toBeNaN();
    });
  });
});
