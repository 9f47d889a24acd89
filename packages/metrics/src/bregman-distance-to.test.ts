import { GroupL12, L1 } from '@bregman/core-prox';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { bregmanDistanceTo } from './bregman-distance-to.js';
import { convNet, denseModel } from './models.test-helper.js';
import { snapshotWeights } from './reference.js';

const kernelL1 = (lambda: number) => [{ match: /kernel$/, regularizer: new L1({ lambda }) }];
// model θ and reference θ_ref: kernels [3, 2] row-major, biases [2]
const a = [1, -2, 0, 0.5, -0.25, 0];
const b = [2, 0, -1, 0.5, 0.25, 0];

/** Σ‖θ − θ_ref‖² over all trainable weights of two models. */
function squaredDistance(m1: tf.LayersModel, m2: tf.LayersModel): number {
  return m1.weights.reduce((sum, w, i) => {
    const u = Array.from(w.read().dataSync());
    const v = m2.weights[i]!.read().dataSync();
    return sum + u.reduce((s, x, j) => s + (x - v[j]!) ** 2, 0);
  }, 0);
}

describe('bregmanDistanceTo: Σ D_J(θ, θ_ref) per regularized variable', () => {
  it('is 0 for the same model and for a snapshot of it', () => {
    const model = convNet();
    const rules = [
      { match: /conv2d.*kernel$/, regularizer: new GroupL12({ lambda: 0.3, reduceAxes: [0, 1] }) },
      { match: /dense.*kernel$/, regularizer: new L1({ lambda: 0.1 }) },
    ];
    expect(bregmanDistanceTo(model, model, rules)).toBe(0);
    expect(bregmanDistanceTo(model, model, rules, { delta: 0.5 })).toBe(0);
    const snapshot = snapshotWeights(model);
    expect(bregmanDistanceTo(model, snapshot, rules)).toBe(0);
    tf.dispose(snapshot);
    model.dispose();
  });

  it('ℓ1 by hand: λ Σ (|θ| − sign(θ_ref)·θ), against a model or a tensor list', () => {
    const model = denseModel(a, [0.25, -0.25]);
    const reference = denseModel(b, [0, 0]);
    // 0.5·[(1 − 1) + (2 − 0) + 0 + (0.5 − 0.5) + (0.25 + 0.25) + 0] = 1.25; biases: J = 0
    expect(bregmanDistanceTo(model, reference, kernelL1(0.5))).toBe(1.25);
    const list = snapshotWeights(reference);
    expect(bregmanDistanceTo(model, list, kernelL1(0.5))).toBe(1.25);
    // not symmetric: p is taken at the reference
    // 0.5·[(2 − 2) + 0 + (1 − 0) + (0.5 − 0.5) + (0.25 + 0.25) + 0] = 0.75
    expect(bregmanDistanceTo(reference, model, kernelL1(0.5))).toBe(0.75);
    tf.dispose(list);
    model.dispose();
    reference.dispose();
  });

  it('group ℓ1,2 on neurons by hand: λ√n Σ_g (‖θ_g‖ − ⟨θ_ref,g/‖θ_ref,g‖, θ_g⟩)', () => {
    const model = denseModel(a);
    const reference = denseModel([2, 0, -1, 0, 0.25, 0]); // its column 1 is zero: p = 0 there
    const J = new GroupL12({ lambda: 0.2, reduceAxes: [0] });
    const col = (k: number[], j: number) => [k[j]!, k[2 + j]!, k[4 + j]!];
    const ref0 = col([2, 0, -1, 0, 0.25, 0], 0);
    const norm = (v: number[]) => Math.hypot(...v);
    const dot = (u: number[], v: number[]) => u.reduce((s, x, i) => s + x * v[i]!, 0);
    const expected =
      0.2 * Math.sqrt(3) * (norm(col(a, 0)) - dot(ref0, col(a, 0)) / norm(ref0) + norm(col(a, 1)));
    expect(bregmanDistanceTo(model, reference, [{ match: /kernel$/, regularizer: J }])).toBeCloseTo(
      expected,
      6,
    );
    model.dispose();
    reference.dispose();
  });

  it('> 0 when signs differ; 0 for same-sign weights of other magnitude (ℓ1 is not strictly convex)', () => {
    const model = denseModel(a);
    const flipped = denseModel(a.map((x) => -x));
    const scaled = denseModel(a.map((x) => 3 * x));
    expect(bregmanDistanceTo(model, flipped, kernelL1(1))).toBeCloseTo(2 * 3.75, 6);
    expect(bregmanDistanceTo(model, scaled, kernelL1(1))).toBe(0);
    // the elastic net is strictly convex: D_{J_δ} > 0 as soon as the weights differ
    expect(bregmanDistanceTo(model, scaled, kernelL1(1), { delta: 1 })).toBeGreaterThan(0);
    for (const m of [model, flipped, scaled]) m.dispose();
  });

  it('elastic net (Lemma B.1): D_{J_δ} = D_J + ‖θ − θ_ref‖²/(2δ), biases included', () => {
    const model = denseModel(a, [0.25, -0.25]);
    const reference = denseModel(b, [0, 0]);
    const D = bregmanDistanceTo(model, reference, kernelL1(0.5));
    const Dd = bregmanDistanceTo(model, reference, kernelL1(0.5), { delta: 2 });
    // ‖a − b‖² = 1 + 4 + 1 + 0 + 0.25 + 0 (kernel) + 0.125 (bias) = 6.375
    expect(Dd).toBe(1.25 + 6.375 / 4);
    expect(Dd - D).toBeCloseTo(squaredDistance(model, reference) / 4, 6);
    model.dispose();
    reference.dispose();
  });

  it('elastic-net split on a conv net with random weights, for several δ', () => {
    const model = convNet();
    const reference = convNet();
    tf.tidy(() => {
      reference.setWeights(
        reference.getWeights().map((w, i) => tf.randomNormal(w.shape, 0, 1, 'float32', i + 7)),
      );
    });
    const rules = [
      { match: /conv2d.*kernel$/, regularizer: new GroupL12({ lambda: 0.3, reduceAxes: [0, 1] }) },
      { match: /dense.*kernel$/, regularizer: new L1({ lambda: 0.1 }) },
    ];
    const D = bregmanDistanceTo(model, reference, rules);
    expect(D).toBeGreaterThan(0);
    const squared = squaredDistance(model, reference);
    for (const delta of [0.1, 1, 7]) {
      const Dd = bregmanDistanceTo(model, reference, rules, { delta });
      expect(Dd).toBeCloseTo(D + squared / (2 * delta), 3);
      expect(Math.abs(Dd - D - squared / (2 * delta)) / Dd).toBeLessThan(1e-5);
    }
    model.dispose();
    reference.dispose();
  });

  it('a snapshot keeps the old weights while training moves the model', async () => {
    const model = denseModel(a);
    const snapshot = snapshotWeights(model);
    model.compile({ optimizer: tf.train.sgd(0.5), loss: 'meanSquaredError' });
    const x = tf.tensor2d([[1, 2, 3]]);
    const y = tf.tensor2d([[10, -10]]);
    await model.fit(x, y, { epochs: 2, verbose: 0 });
    expect(Array.from(snapshot[0]!.dataSync())).toEqual(a);
    expect(bregmanDistanceTo(model, snapshot, [], { delta: 1 })).toBeGreaterThan(0);
    tf.dispose([...snapshot, x, y]);
    model.dispose();
  });

  it('leaves no tensors behind', () => {
    const model = convNet();
    const reference = convNet();
    const rules = [{ match: /kernel$/, regularizer: new GroupL12({ lambda: 1, reduceAxes: [0] }) }];
    const before = tf.memory().numTensors;
    bregmanDistanceTo(model, reference, rules, { delta: 3 });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    reference.dispose();
  });

  it('rejects a mismatched reference and a bad δ, naming what is wrong', () => {
    const model = denseModel(a);
    const conv = convNet();
    const list = snapshotWeights(model);
    const rules = kernelL1(1);
    expect(() => bregmanDistanceTo(model, list.slice(1), rules)).toThrow(
      /bregmanDistanceTo: reference must hold one tensor per variable of the model \(2, in the order of model.weights\), got 1/,
    );
    expect(() => bregmanDistanceTo(model, [...list].reverse(), rules)).toThrow(
      /reference for '.*kernel' \(position 0 of model.weights\) has shape \[2\], expected \[3, 2\]/,
    );
    expect(() => bregmanDistanceTo(model, conv, rules)).toThrow(/reference must hold one tensor/);
    expect(() => bregmanDistanceTo(model, [list[0], 3] as never, rules)).toThrow(
      /reference\[1\] must be a tf.Tensor, got 3/,
    );
    expect(() => bregmanDistanceTo(model, {} as never, rules)).toThrow(
      /bregmanDistanceTo: reference must be a tf.LayersModel/,
    );
    for (const delta of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => bregmanDistanceTo(model, model, rules, { delta })).toThrow(
        /bregmanDistanceTo: delta must be a finite number > 0/,
      );
    }
    tf.dispose(list);
    expect(() => bregmanDistanceTo(model, list, rules)).toThrow(/reference\[0\] is disposed/);
    model.dispose();
    conv.dispose();
  });
});
