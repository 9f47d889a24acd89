import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { bregmanDistance, symmetricBregmanDistance } from './bregman-distance.js';
import { elasticNet } from './elastic-net.js';
import { regularizerFromConfig } from './from-config.js';
import { GroupL12 } from './group-l12.js';
import { L1 } from './l1.js';
import { L1Positive } from './l1-positive.js';
import { NoRegularizer } from './no-regularizer.js';
import type { RegularizerConfig } from './regularizer.js';
import { SparseGroupLasso } from './sparse-group-lasso.js';

const badLambdas = [-0.1, Number.NaN, Number.POSITIVE_INFINITY, '0.1' as unknown as number];

describe('bad arguments are errors that name the argument and the allowed values', () => {
  it.each(badLambdas)('lambda = %s', (lambda) => {
    expect(() => new L1({ lambda })).toThrow(/L1: lambda must be a finite number ≥ 0/);
    expect(() => new L1Positive({ lambda })).toThrow(
      /L1Positive: lambda must be a finite number ≥ 0/,
    );
    expect(() => new GroupL12({ lambda, reduceAxes: [0] })).toThrow(/GroupL12: lambda must be/);
    expect(() => new SparseGroupLasso({ lambda, reduceAxes: [0] })).toThrow(
      /SparseGroupLasso: lambda must be/,
    );
  });

  it('prox delta must be ≥ 0 and finite', () => {
    const x = tf.zeros([2, 2]);
    for (const J of [
      new L1({ lambda: 1 }),
      new L1Positive({ lambda: 1 }),
      new GroupL12({ lambda: 1, reduceAxes: [0] }),
      new SparseGroupLasso({ lambda: 1, reduceAxes: [0] }),
      new NoRegularizer(),
      elasticNet(new L1({ lambda: 1 }), 1),
    ]) {
      for (const delta of [-1, Number.NaN]) {
        expect(() => J.prox(x, delta)).toThrow(/prox: delta must be a finite number ≥ 0/);
      }
    }
    x.dispose();
  });

  it('reduceAxes must be a non-empty list of distinct integers', () => {
    for (const reduceAxes of [[], [0.5], [0, 0], 'x' as unknown as number[]]) {
      expect(() => new GroupL12({ lambda: 1, reduceAxes })).toThrow(/GroupL12: reduceAxes must/);
    }
  });

  it('reduceAxes outside the tensor rank is an error naming the rank and allowed axes', () => {
    const J = new GroupL12({ lambda: 1, reduceAxes: [0, 2] });
    const x = tf.zeros([3, 4]);
    const message =
      /GroupL12: reduceAxes contains axis 2, but the tensor has rank 2: allowed axes are -2…1/;
    expect(() => J.prox(x, 1)).toThrow(message);
    expect(() => J.value(x)).toThrow(message);
    expect(() => J.subgradient(x)).toThrow(message);
    expect(() => new GroupL12({ lambda: 1, reduceAxes: [0, -2] }).prox(x, 1)).toThrow(
      /names one axis twice/,
    );
    x.dispose();
  });

  it('negative axes count from the end', () => {
    const x = tf.tensor2d([3, 0, 4, 0], [2, 2]);
    const a = tf.tidy(() => new GroupL12({ lambda: 1, reduceAxes: [0] }).value(x).dataSync()[0]);
    const b = tf.tidy(() => new GroupL12({ lambda: 1, reduceAxes: [-2] }).value(x).dataSync()[0]);
    x.dispose();
    expect(a).toBeCloseTo(5 * Math.SQRT2, 5);
    expect(b).toBe(a);
  });

  it('elasticNet delta must be > 0', () => {
    for (const delta of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => elasticNet(new L1({ lambda: 1 }), delta)).toThrow(
        /elasticNet: delta must be a finite number > 0/,
      );
    }
  });

  it('regularizerFromConfig: an unknown type lists the allowed ones', () => {
    expect(() =>
      regularizerFromConfig({ type: 'L2', lambda: 1 } as unknown as RegularizerConfig),
    ).toThrow(
      /config.type must be one of 'L1', 'L1Positive', 'GroupL12', 'SparseGroupLasso', 'None', 'ElasticNet', got "L2"/,
    );
    expect(() => regularizerFromConfig(null as unknown as RegularizerConfig)).toThrow(
      /config must be an object/,
    );
    expect(() => regularizerFromConfig({ type: 'L1' } as unknown as RegularizerConfig)).toThrow(
      /lambda must be a finite number ≥ 0, got undefined/,
    );
  });

  it('Bregman distances need points (and subgradients) of one shape', () => {
    const J = new L1({ lambda: 1 });
    const a = tf.zeros([2, 3]);
    const b = tf.zeros([3, 2]);
    expect(() => bregmanDistance(J, a, b)).toThrow(
      /bregmanDistance: a and b must have the same shape, got \[2, 3\] and \[3, 2\]/,
    );
    expect(() => bregmanDistance(J, a, a, b)).toThrow(/bregmanDistance: p and b must have/);
    expect(() => symmetricBregmanDistance(J, a, a, b)).toThrow(/pa and a must have/);
    tf.dispose([a, b]);
  });
});

describe('domain of L1Positive', () => {
  it('J = ∞ and ∂J = NaN for negative entries; ∂J(0) = 0', () => {
    const J = new L1Positive({ lambda: 0.5 });
    const [value, sub] = tf.tidy(() => {
      const t = tf.tensor1d([-1, 0, 2]);
      return [J.value(t).dataSync()[0], Array.from(J.subgradient(t).dataSync())];
    });
    expect(value).toBe(Number.POSITIVE_INFINITY);
    expect(sub[0]).toBeNaN();
    expect(sub.slice(1)).toEqual([0, 0.5]);
  });
});

describe('regularizers built without an options object: an error naming the class and what it needs', () => {
  it.each([undefined, null, 0.1, 'l1', [0.1]])('options = %s', (options) => {
    const o = options as never;
    expect(() => new L1(o)).toThrow(/L1: options must be an object with lambda/);
    expect(() => new L1Positive(o)).toThrow(/L1Positive: options must be an object with lambda/);
    expect(() => new GroupL12(o)).toThrow(
      /GroupL12: options must be an object with lambda and reduceAxes/,
    );
    expect(() => new SparseGroupLasso(o)).toThrow(
      /SparseGroupLasso: options must be an object with lambda and reduceAxes/,
    );
  });

  it('elasticNet needs a Regularizer', () => {
    expect(() => elasticNet(undefined as never, 1)).toThrow(
      /elasticNet: J must be a Regularizer from @bregman\/core-prox/,
    );
  });
});
