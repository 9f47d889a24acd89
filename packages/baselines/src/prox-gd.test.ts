import { GroupL12, L1, L1Positive, SparseGroupLasso } from '@bregman/core-prox';
import { LinBreg, rulesForModel, setLearningRate } from '@bregman/optimizers';
import { expectConfigRoundTrip, roundTripRules, weightArrays } from '@bregman/test-utils';
import { loadWithOptimizer, saveWithOptimizer, teacherData } from '@bregman/test-utils/layers';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { denseNet } from './fit-model.test-helper.js';
import { ProxGD } from './prox-gd.js';

const rules = roundTripRules({ L1, GroupL12, SparseGroupLasso });

let id = 0;
const variable = (value: tf.Tensor, name = 'v') =>
  tf.variable(value, true, `proxgd${id++}/${name}`);

describe('ProxGD step: θ ← prox_{τJ}(θ − τg) (eq. 1.5)', () => {
  it('with no rules it is tf.train.sgd(τ), bit for bit', () => {
    const x = tf.randomNormal([16, 5], 0, 1, 'float32', 1);
    const a = variable(tf.randomNormal([5, 3], 0, 1, 'float32', 2));
    const b = variable(a.clone());
    const loss = (w: tf.Variable) => () =>
      tf.mean(tf.square(tf.tanh(tf.matMul(x, w)))) as tf.Scalar;
    const ours = new ProxGD({ learningRate: 0.3 });
    const sgd = tf.train.sgd(0.3);
    for (let k = 0; k < 20; k++) {
      ours.minimize(loss(a), false, [a]);
      sgd.minimize(loss(b), false, [b]);
    }
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(ours.iterations).toBe(20);
    tf.dispose([x, a, b]);
    sgd.dispose();
  });

  it('group ℓ1,2 on neurons removes whole columns; ℓ1 positive keeps the weights ≥ 0', () => {
    const w = variable(
      tf.tensor2d([
        [1, 0.01, -2],
        [0.5, -0.02, 1],
        [-1, 0.01, 0.5],
      ]),
      'kernel',
    );
    const p = variable(tf.tensor1d([0.5, -0.5, 0.01, 2]), 'bias');
    const optimizer = new ProxGD({
      learningRate: 0.5,
      rules: [
        { match: w.name, regularizer: new GroupL12({ lambda: 0.1, reduceAxes: [0] }) },
        { match: p.name, regularizer: new L1Positive({ lambda: 0.1 }) },
      ],
    });
    // zero loss gradient: the step is the prox alone
    optimizer.minimize(() => tf.mul(tf.add(tf.sum(w), tf.sum(p)), 0) as tf.Scalar);
    const columns = tf.tidy(() => Array.from(tf.sum(tf.abs(w), 0).dataSync()));
    expect(columns[1]).toBe(0); // the weak neuron is gone as a whole…
    expect(columns[0]).toBeGreaterThan(0); // …the strong ones shrink but stay
    // prox_{τλ√3‖·‖}: column 0 has norm √2.25 = 1.5, scaled by 1 − 0.05·√3/1.5
    expect((w.arraySync() as number[][])[0]![0]).toBeCloseTo(1 - (0.05 * Math.sqrt(3)) / 1.5, 6);
    expect(Array.from(p.dataSync())).toEqual([0.45, 0, 0, 1.95].map(Math.fround));
    optimizer.dispose();
    tf.dispose([w, p]);
  });
});

describe('serialization, state and hyperparameters', () => {
  it('getConfig / fromConfig round-trips τ and the rules through JSON and the tfjs registry', () => {
    expectConfigRoundTrip(new ProxGD({ learningRate: 0.3, rules }), rules, 'ProxGD');
  });

  it('learningRate is public, settable (also through setLearningRate) and validated', () => {
    const opt = new ProxGD({ learningRate: 0.1 });
    opt.learningRate = 0.05;
    expect(opt.learningRate).toBe(0.05);
    setLearningRate(opt, 0.025);
    expect(opt.getConfig().learningRate).toBe(0.025);
    expect(() => {
      opt.learningRate = -1;
    }).toThrow(/ProxGD: learningRate must be a finite number > 0, got -1/);
  });

  it('getWeights / setWeights: the iteration count, and nothing else', async () => {
    const v = variable(tf.ones([3]), 'kernel');
    const a = new ProxGD({
      learningRate: 0.1,
      rules: [{ match: v.name, regularizer: new L1({ lambda: 0.1 }) }],
    });
    for (let k = 0; k < 3; k++) a.minimize(() => tf.sum(tf.square(v)) as tf.Scalar);
    const weights = await a.getWeights();
    expect(weights.map((w) => w.name)).toEqual(['iter']);
    const b = new ProxGD({ learningRate: 0.1 });
    await b.setWeights(weights);
    expect(b.iterations).toBe(3);
    // state of another optimizer is refused, not silently dropped
    const lin = new LinBreg({ learningRate: 0.1, rules: a.rules as never });
    lin.minimize(() => tf.sum(tf.square(v)) as tf.Scalar);
    await expect(b.setWeights(await lin.getWeights())).rejects.toThrow(
      /ProxGD.setWeights: ProxGD keeps no per-variable state, got '.*\/kernel\/v'/,
    );
    await expect(b.setWeights([])).rejects.toThrow(/the first weight must be 'iter'/);
    tf.dispose([v, ...weights.map((w) => w.tensor)]);
    lin.dispose();
  });

  it('model.fit, then model.save with the optimizer and tf.loadLayersModel: same optimizer, same next epoch', async () => {
    const { x, y } = teacherData(3, 128);
    const model = denseNet(7);
    model.compile({
      optimizer: new ProxGD({
        learningRate: 0.1,
        rules: rulesForModel(model, { dense: new L1({ lambda: 1e-3 }) }),
      }),
      loss: 'categoricalCrossentropy',
    });
    const fitOneEpoch = (m: tf.LayersModel) =>
      m.fit(x, y, { epochs: 1, batchSize: 32, shuffle: false, verbose: 0 });
    await fitOneEpoch(model);
    const artifacts = await saveWithOptimizer(model);
    await fitOneEpoch(model);
    const { loaded, optimizer } = await loadWithOptimizer(artifacts, model, ProxGD);
    expect(optimizer.iterations).toBe(4);
    // the reloaded kernels have other variable names (…/kernel_1) and still match the rules
    expect(optimizer.regularizerFor(loaded.trainableWeights[0]!.name).getConfig().type).toBe('L1');
    await fitOneEpoch(loaded);
    const expected = weightArrays(model);
    weightArrays(loaded).forEach((w, i) => {
      expect(w, `weight ${i}`).toEqual(expected[i]);
    });
    loaded.dispose();
    model.dispose();
    tf.dispose([x, y]);
  });
});

describe('bad input is an error naming the argument and the allowed range', () => {
  it.each([
    [
      () => new ProxGD({ learningRate: 0 }),
      /ProxGD: learningRate must be a finite number > 0, got 0/,
    ],
    [
      () => new ProxGD({ learningRate: Number.NaN }),
      /learningRate must be a finite number > 0, got NaN/,
    ],
    [
      () => new ProxGD({} as never),
      /ProxGD: learningRate must be a finite number > 0, got undefined/,
    ],
    [
      () =>
        new ProxGD({
          learningRate: 0.1,
          rules: [{ match: 3 as never, regularizer: new L1({ lambda: 1 }) }],
        }),
      /rules\[0\].match must be a string or a RegExp/,
    ],
    [
      () => new ProxGD({ learningRate: 0.1, rules: [{ match: 'x', regularizer: {} as L1 }] }),
      /rules\[0\].regularizer must be a Regularizer/,
    ],
  ])('%#', (make, message) => {
    expect(make).toThrow(message);
  });
});

describe('memory stays flat', () => {
  it('tf.memory().numTensors is the same after step 10 and step 300', () => {
    const W = variable(tf.randomNormal([8, 6], 0, 1, 'float32', 3), 'kernel');
    const b = variable(tf.zeros([6]), 'bias');
    const x = tf.randomNormal([32, 8], 0, 1, 'float32', 4);
    const optimizer = new ProxGD({
      learningRate: 0.05,
      rules: [
        { match: W.name, regularizer: new SparseGroupLasso({ lambda: 0.01, reduceAxes: [0] }) },
      ],
    });
    const loss = () => tf.mean(tf.square(tf.relu(tf.add(tf.matMul(x, W), b)))) as tf.Scalar;
    const counts: number[] = [];
    for (let step = 1; step <= 300; step++) {
      optimizer.minimize(loss);
      if (step === 10 || step === 300) counts.push(tf.memory().numTensors);
    }
    expect(counts[1]).toBe(counts[0]);
    optimizer.dispose();
    tf.dispose([W, b, x]);
  });
});
