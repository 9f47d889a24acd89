import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bregmanDistance, symmetricBregmanDistance } from './bregman-distance.js';
import { elasticNet } from './elastic-net.js';
import { GroupL12 } from './group-l12.js';
import { L1 } from './l1.js';
import { L1Positive } from './l1-positive.js';
import { NoRegularizer } from './no-regularizer.js';
import type { Regularizer } from './regularizer.js';
import { SparseGroupLasso } from './sparse-group-lasso.js';

/** A regularizer family under test: how to build it, on which shape, and its domain. */
interface Family {
  name: string;
  shape: number[];
  make(lambda: number): Regularizer;
  /** Maps an arbitrary point into dom J (identity except for L1Positive). */
  toDomain(values: number[]): number[];
}

const identity = (v: number[]) => v;
const families: Family[] = [
  { name: 'L1', shape: [5, 4], make: (lambda) => new L1({ lambda }), toDomain: identity },
  {
    name: 'L1Positive',
    shape: [5, 4],
    make: (lambda) => new L1Positive({ lambda }),
    toDomain: (v) => v.map(Math.abs),
  },
  {
    name: 'GroupL12 neurons [nIn, nOut]',
    shape: [5, 4],
    make: (lambda) => new GroupL12({ lambda, reduceAxes: [0] }),
    toDomain: identity,
  },
  {
    name: 'GroupL12 kernels [kh, kw, cin, cout]',
    shape: [3, 3, 2, 2],
    make: (lambda) => new GroupL12({ lambda, reduceAxes: [0, 1] }),
    toDomain: identity,
  },
  {
    name: 'SparseGroupLasso',
    shape: [4, 3],
    make: (lambda) => new SparseGroupLasso({ lambda, reduceAxes: [0] }),
    toDomain: identity,
  },
  { name: 'None', shape: [3, 3], make: () => new NoRegularizer(), toDomain: identity },
  {
    name: 'elasticNet(L1, 0.7)',
    shape: [6],
    make: (lambda) => elasticNet(new L1({ lambda }), 0.7),
    toDomain: identity,
  },
];

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
// Values with exact zeros mixed in, so zero entries and zero groups are exercised.
const entry = fc.oneof(
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 4, arbitrary: fc.double({ min: -3, max: 3, noNaN: true }) },
);
const point = (shape: number[]) =>
  fc.array(entry, { minLength: size(shape), maxLength: size(shape) });
const lambdaArb = fc.double({ min: 0, max: 1.5, noNaN: true });
const deltaArb = fc.double({ min: 0.05, max: 3, noNaN: true });

const toTensor = (values: number[], shape: number[]) => tf.tensor(values, shape, 'float32');
const read = (t: tf.Tensor) => Array.from(t.dataSync());
const sqDist = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += ((a[i] as number) - (b[i] as number)) ** 2;
  return s;
};
const valueAt = (J: Regularizer, values: number[], shape: number[]) =>
  tf.tidy(() => J.value(toTensor(values, shape)).dataSync()[0] as number);

for (const family of families) {
  describe(`${family.name}: properties on random inputs`, () => {
    const { shape } = family;
    // the inputs of the properties of two points: λ, δ, and two points of the family's shape
    const twoPoints = [lambdaArb, deltaArb, point(shape), point(shape)] as const;

    it('prox is the minimiser: F(z) ≥ F(prox(x)) + ½‖z − prox(x)‖² (F 1-strongly convex)', () => {
      fc.assert(
        fc.property(
          ...twoPoints,
          fc.double({ min: 1e-3, max: 1, noNaN: true }),
          (lambda, delta, x, direction, eps) => {
            const J = family.make(lambda);
            const y = tf.tidy(() => read(J.prox(toTensor(x, shape), delta)));
            const F = (z: number[]) => 0.5 * sqDist(z, x) + delta * valueAt(J, z, shape);
            const Fy = F(y);
            const candidates = [
              y.map((v, i) => v + eps * (direction[i] as number)),
              x,
              y.map(() => 0),
            ];
            for (const z of candidates) {
              const Fz = F(z);
              if (!Number.isFinite(Fz)) continue; // outside dom J: trivially larger
              expect(Fz - Fy + 1e-5 * (1 + Math.abs(Fy))).toBeGreaterThanOrEqual(
                0.5 * sqDist(z, y),
              );
            }
          },
        ),
      );
    });

    it('prox is non-expansive: ‖prox(a) − prox(b)‖ ≤ ‖a − b‖', () => {
      fc.assert(
        fc.property(...twoPoints, (lambda, delta, a, b) => {
          const J = family.make(lambda);
          const [pa, pb] = tf.tidy(() => [
            read(J.prox(toTensor(a, shape), delta)),
            read(J.prox(toTensor(b, shape), delta)),
          ]);
          const lhs = Math.sqrt(sqDist(pa as number[], pb as number[]));
          expect(lhs).toBeLessThanOrEqual(Math.sqrt(sqDist(a, b)) * (1 + 1e-5) + 1e-5);
        }),
      );
    });

    it('the mirror-step identity prox_{δJ}(δ(θ/δ + ∂J(θ))) = θ holds', () => {
      fc.assert(
        fc.property(lambdaArb, deltaArb, point(shape), (lambda, delta, raw) => {
          const J = family.make(lambda);
          const theta = family.toDomain(raw);
          const back = tf.tidy(() => {
            const t = toTensor(theta, shape);
            const v = tf.add(tf.div(t, delta), J.subgradient(t));
            return read(J.prox(tf.mul(v, delta), delta));
          });
          for (let i = 0; i < theta.length; i++) {
            const scale = 1 + Math.abs(theta[i] as number) + delta * lambda * size(shape);
            expect(Math.abs((back[i] as number) - (theta[i] as number))).toBeLessThanOrEqual(
              2e-6 * scale,
            );
          }
        }),
      );
    });

    it('Bregman distance: D(a, b) ≥ 0, D(a, a) = 0, and D^sym(a, b) = D(a, b) + D(b, a)', () => {
      fc.assert(
        fc.property(lambdaArb, point(shape), point(shape), (lambda, rawA, rawB) => {
          const J = family.make(lambda);
          const a = family.toDomain(rawA);
          const b = family.toDomain(rawB);
          const [dab, dba, daa, dsym, scale] = tf.tidy(() => {
            const ta = toTensor(a, shape);
            const tb = toTensor(b, shape);
            return [
              bregmanDistance(J, ta, tb),
              bregmanDistance(J, tb, ta),
              bregmanDistance(J, ta, ta),
              symmetricBregmanDistance(J, ta, tb),
              tf.add(tf.add(J.value(ta), J.value(tb)), 1),
            ].map((s) => s.dataSync()[0] as number);
          }) as number[];
          const tol = 1e-5 * (scale as number);
          expect(dab).toBeGreaterThanOrEqual(-tol);
          expect(dba).toBeGreaterThanOrEqual(-tol);
          expect(Math.abs(daa as number)).toBeLessThanOrEqual(tol);
          expect(
            Math.abs((dsym as number) - (dab as number) - (dba as number)),
          ).toBeLessThanOrEqual(2 * tol);
        }),
      );
    });

    it('Lemma B.1: D_{J_δ}(a, b) = D_J(a, b) + ‖a − b‖²/(2δ)', () => {
      fc.assert(
        fc.property(...twoPoints, (lambda, delta, rawA, rawB) => {
          const J = family.make(lambda);
          const Jd = elasticNet(J, delta);
          const a = family.toDomain(rawA);
          const b = family.toDomain(rawB);
          const [lhs, dj, scale] = tf.tidy(() => {
            const ta = toTensor(a, shape);
            const tb = toTensor(b, shape);
            return [
              bregmanDistance(Jd, ta, tb),
              bregmanDistance(J, ta, tb),
              tf.add(tf.add(Jd.value(ta), Jd.value(tb)), 1),
            ].map((s) => s.dataSync()[0] as number);
          }) as number[];
          const rhs = (dj as number) + sqDist(a, b) / (2 * delta);
          expect(Math.abs((lhs as number) - rhs)).toBeLessThanOrEqual(1e-5 * (scale as number));
        }),
      );
    });
  });
}

describe('entrywiseThreshold: the prox as x − clip(x, −t, t)', () => {
  it('ℓ1 has it (t = δλ), and its prox is exactly that', () => {
    const J = new L1({ lambda: 0.1 });
    expect(J.entrywiseThreshold(2)).toBeCloseTo(0.2, 15);
    const x = tf.tensor1d([0.5, -0.05, 0.2, -0.3, 0, Number.NaN]);
    const t = J.entrywiseThreshold(2);
    expect(Array.from(J.prox(x, 2).dataSync())).toEqual(
      Array.from(tf.sub(x, tf.clipByValue(x, -t, t)).dataSync()),
    );
    expect(() => J.entrywiseThreshold(-1)).toThrow(/delta/);
    x.dispose();
  });

  it('no other regularizer claims it (their proxes are not soft thresholding)', () => {
    const others: Regularizer[] = [
      new L1Positive({ lambda: 0.1 }),
      new GroupL12({ lambda: 0.1, reduceAxes: [0] }),
      new SparseGroupLasso({ lambda: 0.1, reduceAxes: [0] }),
      new NoRegularizer(),
      elasticNet(new L1({ lambda: 0.1 }), 2),
    ];
    for (const J of others) expect(J.entrywiseThreshold).toBeUndefined();
  });
});
