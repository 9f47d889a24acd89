import { GroupL12, L1, NoRegularizer } from '@bregman/core-prox';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { convNet, convNetCounts, denseModel } from './models.test-helper.js';
import { regularizerValue } from './regularizer-value.js';

describe('regularizerValue: Σ_v J_v(θ_v) with the rules', () => {
  it('ℓ1 on dense kernels + group ℓ1,2 on conv kernels, by hand', () => {
    const model = convNet();
    const rules = [
      {
        match: /conv2d.*\/kernel$/,
        regularizer: new GroupL12({ lambda: 0.5, reduceAxes: [0, 1] }),
      },
      { match: /dense.*\/kernel$/, regularizer: new L1({ lambda: 0.1 }) },
    ];
    // group norms of the three non-zero [2, 3] slices, weighted by √6 (eq. 1.2)
    const full = Math.hypot(1, 2, 3, 2, 3, 4);
    const group = 0.5 * Math.sqrt(6) * (full + 0.5 + 2e-30);
    const l1 = 0.1 * (convNetCounts.l1 - 15.5); // dense kernels only
    expect(regularizerValue(model, rules)).toBeCloseTo(group + l1, 5);
    // unmatched variables (here: all) have J = 0
    expect(regularizerValue(model, [])).toBe(0);
    model.dispose();
  });

  it('the rules decide: a rule on biases counts them; the first matching rule wins', () => {
    const model = denseModel([1, -1, 0, 0, 2, 0], [0.25, -0.25]);
    const l1 = (lambda: number) => new L1({ lambda });
    expect(regularizerValue(model, [{ match: /./, regularizer: l1(1) }])).toBe(4.5);
    expect(
      regularizerValue(model, [
        { match: /bias$/, regularizer: new NoRegularizer() },
        { match: /./, regularizer: l1(2) },
      ]),
    ).toBe(8);
    model.dispose();
  });

  it('counts trainable variables only (a frozen layer is a constant)', () => {
    const model = denseModel([1, 1, 1, 1, 1, 1]);
    const rules = [{ match: /kernel$/, regularizer: new L1({ lambda: 1 }) }];
    expect(regularizerValue(model, rules)).toBe(6);
    model.layers[0]!.trainable = false;
    expect(regularizerValue(model, rules)).toBe(0);
    model.dispose();
  });

  it('leaves no tensors, rejects bad rules', () => {
    const model = convNet();
    const rules = [{ match: /kernel/, regularizer: new GroupL12({ lambda: 1, reduceAxes: [0] }) }];
    const before = tf.memory().numTensors;
    regularizerValue(model, rules);
    expect(tf.memory().numTensors).toBe(before);
    expect(() =>
      regularizerValue(model, [{ match: 3, regularizer: new L1({ lambda: 1 }) }] as never),
    ).toThrow(/rules\[0\]\.match must be a string or a RegExp/);
    expect(() => regularizerValue({} as tf.LayersModel, [])).toThrow(/regularizerValue: model/);
    model.dispose();
  });
});
