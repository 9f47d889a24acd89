import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { elasticNet } from './elastic-net.js';
import { registerRegularizer, regularizerFromConfig, regularizerTypes } from './from-config.js';
import { GroupL12 } from './group-l12.js';
import { L1 } from './l1.js';
import { L1Positive } from './l1-positive.js';
import { NoRegularizer } from './no-regularizer.js';
import type { Regularizer, RegularizerConfigBase } from './regularizer.js';
import { SparseGroupLasso } from './sparse-group-lasso.js';
import { checkRegularizer } from './validation.js';

const BUILT_INS: Array<[string, Regularizer]> = [
  ['L1', new L1({ lambda: 0.2 })],
  ['L1Positive', new L1Positive({ lambda: 0.2 })],
  ['GroupL12', new GroupL12({ lambda: 0.2, reduceAxes: [0] })],
  ['SparseGroupLasso', new SparseGroupLasso({ lambda: 0.2, reduceAxes: [0] })],
  ['None', new NoRegularizer()],
  ['ElasticNet(GroupL12)', elasticNet(new GroupL12({ lambda: 0.2, reduceAxes: [0] }), 3)],
];

describe('a regularizer answers its own questions', () => {
  it('isZero, groupwise and finite', () => {
    const answers = Object.fromEntries(
      BUILT_INS.map(([name, J]) => [name, [J.isZero, J.groupwise, J.finite]]),
    );
    expect(answers).toEqual({
      L1: [false, false, true],
      L1Positive: [false, false, false],
      GroupL12: [false, true, true],
      SparseGroupLasso: [false, true, true],
      None: [true, false, true],
      'ElasticNet(GroupL12)': [false, true, true],
    });
    expect(elasticNet(new L1Positive({ lambda: 1 }), 2).finite).toBe(false);
    expect(elasticNet(new NoRegularizer(), 2).isZero).toBe(false); // ‖θ‖²/(2δ) remains
  });

  it.each(BUILT_INS)('%s.scaled(f) is J with λ × f, the same J otherwise', (_, J) => {
    const scaled = J.scaled(2.5);
    expect(scaled.lambda).toBeCloseTo(J.lambda * 2.5, 12);
    expect(scaled.getConfig()).toEqual({
      ...J.getConfig(),
      lambda: scaled.lambda,
      ...('base' in J.getConfig()
        ? {
            base: { ...(J.getConfig() as unknown as { base: object }).base, lambda: scaled.lambda },
          }
        : {}),
    });
    expect(J.lambda).toBe(J.isZero ? 0 : 0.2); // unchanged
    // the value scales with λ (the elastic net's quadratic term does not)
    const theta = tf.tensor2d([
      [0.5, -1],
      [2, 0.25],
    ]);
    const v = J.value(theta).dataSync()[0]!;
    const vs = scaled.value(theta).dataSync()[0]!;
    if ('base' in J.getConfig()) {
      const q = (0.25 + 1 + 4 + 0.0625) / (2 * 3); // ‖θ‖²/(2δ), δ = 3
      expect(vs - q).toBeCloseTo((v - q) * 2.5, 5);
    } else if (J.finite) {
      expect(vs).toBeCloseTo(v * 2.5, 5);
    }
    theta.dispose();
  });

  it('scaled refuses a negative or non-finite factor, naming it', () => {
    expect(() => new L1({ lambda: 1 }).scaled(-1)).toThrow(/L1\.scaled: factor/);
    expect(() => new GroupL12({ lambda: 1, reduceAxes: [0] }).scaled(Number.NaN)).toThrow(
      /GroupL12\.scaled: factor/,
    );
    expect(() => new NoRegularizer().scaled(-2)).toThrow(/NoRegularizer\.scaled: factor/);
  });

  it('checkRegularizer asks for the questions too', () => {
    const { value, prox, subgradient, getConfig } = new L1({ lambda: 1 });
    expect(() => checkRegularizer('J', { value, prox, subgradient, getConfig })).toThrow(
      /J must be a Regularizer .*scaled.*isZero, groupwise, finite/,
    );
  });
});

/** A seventh regularizer, in a user's own code: λ Σ|θ|³ (finite, entry-wise). */
class CubicPenalty implements Regularizer {
  readonly isZero = false;
  readonly groupwise = false;
  readonly finite = true;
  constructor(readonly lambda: number) {}
  value(theta: tf.Tensor): tf.Scalar {
    return tf.tidy(() => tf.mul(tf.sum(tf.pow(tf.abs(theta), 3)), this.lambda));
  }
  prox(x: tf.Tensor): tf.Tensor {
    return tf.clone(x); // not used here
  }
  subgradient(theta: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.mul(tf.mul(tf.square(theta), tf.sign(theta)), 3 * this.lambda));
  }
  scaled(factor: number): CubicPenalty {
    return new CubicPenalty(this.lambda * factor);
  }
  getConfig(): RegularizerConfigBase {
    return { type: 'CubicPenalty', lambda: this.lambda };
  }
}

describe('registerRegularizer', () => {
  it('lists the built-in types', () => {
    expect(regularizerTypes()).toEqual(
      expect.arrayContaining(['L1', 'L1Positive', 'GroupL12', 'SparseGroupLasso', 'None']),
    );
  });

  it('makes a new regularizer loadable, also inside an elastic net', () => {
    expect(() => regularizerFromConfig({ type: 'CubicPenalty', lambda: 1 })).toThrow(
      /config\.type must be one of 'L1', .*got "CubicPenalty"/,
    );
    registerRegularizer('CubicPenalty', (config) => new CubicPenalty(config.lambda));
    expect(regularizerTypes()).toContain('CubicPenalty');
    const J = regularizerFromConfig({ type: 'CubicPenalty', lambda: 0.5 });
    expect(J).toBeInstanceOf(CubicPenalty);
    expect(J.lambda).toBe(0.5);
    const net = elasticNet(new CubicPenalty(0.5), 2);
    const back = regularizerFromConfig(net.getConfig());
    expect(back.getConfig()).toEqual(net.getConfig());
    expect(back.scaled(2).getConfig()).toMatchObject({ base: { type: 'CubicPenalty', lambda: 1 } });
  });

  it('refuses a taken name, an empty name and a rebuilder that is not a function', () => {
    expect(() => registerRegularizer('L1', () => new L1({ lambda: 1 }))).toThrow(
      /'L1' is registered already/,
    );
    expect(() => registerRegularizer('', () => new L1({ lambda: 1 }))).toThrow(
      /type must be a non-empty string/,
    );
    expect(() =>
      registerRegularizer('X', 'nope' as unknown as Parameters<typeof registerRegularizer>[1]),
    ).toThrow(/rebuild must be a function, got string/);
  });
});
