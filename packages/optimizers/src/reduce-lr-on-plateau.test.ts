import { teacherData } from '@bregman/test-utils/layers';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { AdaBreg } from './ada-breg.js';
import { sparseMlp } from './fit-model.test-helper.js';
import { getLearningRate } from './learning-rate.js';
import { LinBreg } from './lin-breg.js';
import { ReduceLROnPlateau } from './reduce-lr-on-plateau.js';

/** Epochs (0-based) at which the scheduler reduced the LR for a scripted loss sequence. */
function reductions(losses: number[], options: ConstructorParameters<typeof ReduceLROnPlateau>[0]) {
  const optimizer = new LinBreg({ learningRate: 0.1 });
  const scheduler = new ReduceLROnPlateau({ ...options, optimizer });
  const at = losses.flatMap((loss, epoch) => (scheduler.step(loss) ? [epoch] : []));
  return { at, lr: optimizer.learningRate };
}

describe("ReduceLROnPlateau follows PyTorch's rule", () => {
  it('halves after more than `patience` epochs without a relative improvement of `threshold`', () => {
    // best 0.9 after epoch 1; 0.895, 0.894, 0.893 are not < 0.9·0.99 → reduce at epoch 4;
    // 0.88 improves; three more flat epochs → reduce at epoch 8 (cooldown 1 only delays counting)
    const losses = [1.0, 0.9, 0.895, 0.894, 0.893, 0.88, 0.8799, 0.8798, 0.8797, 0.5];
    expect(reductions(losses, { patience: 2, threshold: 0.01, cooldown: 1 })).toEqual({
      at: [4, 8],
      lr: 0.025,
    });
  });

  it('the paper defaults: factor 0.5, patience 5, threshold 0.01 (rel)', () => {
    const flat = [1, ...new Array(12).fill(0.995)];
    expect(reductions(flat, {}).at).toEqual([6, 12]);
  });

  it('cooldown: bad epochs are not counted while cooling down', () => {
    expect(reductions(new Array(6).fill(1), { patience: 0, cooldown: 2 }).at).toEqual([1, 4]);
  });

  it('getState / setState: a scheduler restored mid-way reduces exactly when the original does', () => {
    const losses = [1.0, 0.9, 0.895, 0.894, 0.893, 0.88, 0.8799, 0.8798, 0.8797, 0.5, 0.5, 0.5];
    const options = { patience: 2, cooldown: 1 };
    const whole = reductions(losses, options);
    for (const cut of [0, 3, 5, 9]) {
      const first = new LinBreg({ learningRate: 0.1 });
      const before = new ReduceLROnPlateau({ ...options, optimizer: first });
      const at = losses.slice(0, cut).flatMap((loss, epoch) => (before.step(loss) ? [epoch] : []));
      const state = JSON.parse(JSON.stringify(before.getState()));
      const second = new LinBreg({ learningRate: first.learningRate });
      const after = new ReduceLROnPlateau({ ...options, optimizer: second });
      after.setState(state);
      at.push(...losses.slice(cut).flatMap((loss, i) => (after.step(loss) ? [cut + i] : [])));
      expect({ at, lr: second.learningRate }).toEqual(whole);
    }
    expect(new ReduceLROnPlateau().getState()).toEqual({
      best: null,
      badEpochs: 0,
      cooldownLeft: 0,
    });
    expect(() =>
      new ReduceLROnPlateau().setState({ best: 1, badEpochs: -1, cooldownLeft: 0 }),
    ).toThrow(/badEpochs/);
  });

  it("thresholdMode 'abs', mode 'max', minLr and eps", () => {
    // 9.5 improves on 10 by more than 0.3 (abs) but not by 30 % (rel)
    expect(
      reductions([10, 9.5, 9.2], { patience: 0, thresholdMode: 'abs', threshold: 0.3 }).at,
    ).toEqual([2]);
    expect(reductions([10, 9.5, 9.2], { patience: 0, threshold: 0.3 }).at).toEqual([1, 2]);
    expect(reductions([0.5, 0.6, 0.6, 0.6], { mode: 'max', patience: 1 }).at).toEqual([3]);
    expect(reductions(new Array(8).fill(1), { patience: 0, minLr: 0.03 })).toEqual({
      at: [1, 2],
      lr: 0.03,
    });
    expect(reductions(new Array(4).fill(1), { patience: 0, eps: 0.2 }).at).toEqual([]);
  });

  it('works on tfjs optimizers: sgd (setLearningRate) and adam (learningRate)', () => {
    for (const optimizer of [
      tf.train.sgd(0.4),
      tf.train.adam(0.4),
      new AdaBreg({ learningRate: 0.4 }),
    ]) {
      const scheduler = new ReduceLROnPlateau({ patience: 0, optimizer });
      scheduler.step(1);
      expect(scheduler.step(1)).toBe(true);
      expect(getLearningRate(optimizer)).toBe(0.2);
    }
    // and sgd really steps with the new rate
    const sgd = tf.train.sgd(0.4);
    new ReduceLROnPlateau({ patience: 0, optimizer: sgd }).step(Number.NaN);
    const x = tf.variable(tf.scalar(1), true, 'plateau/x');
    sgd.minimize(() => tf.mul(x, 1) as tf.Scalar, false, [x]);
    expect(x.dataSync()[0]).toBeCloseTo(1 - 0.2, 6);
    x.dispose();
  });

  it('as a model.fit callback: watches the training loss and changes the optimizer LR', async () => {
    const { x, y } = teacherData(4, 64);
    const model = sparseMlp(4);
    const optimizer = new LinBreg({ learningRate: 0.08 });
    model.compile({ optimizer, loss: 'categoricalCrossentropy' });
    // threshold 1 (rel): nothing is ever "better", so with patience 0 every epoch halves the LR
    const callback = new ReduceLROnPlateau({ patience: 0, threshold: 1 });
    await model.fit(x, y, { epochs: 3, batchSize: 32, verbose: 0, callbacks: [callback] });
    expect(optimizer.learningRate).toBeCloseTo(0.01, 10);
    const missing = new ReduceLROnPlateau({ monitor: 'val_loss' });
    await expect(model.fit(x, y, { epochs: 1, verbose: 0, callbacks: [missing] })).rejects.toThrow(
      /monitor 'val_loss' is not in the epoch logs \(have: loss\)/,
    );
    model.dispose();
    tf.dispose([x, y]);
  });

  it('bad options are errors', () => {
    expect(() => new ReduceLROnPlateau({ factor: 1 })).toThrow(/factor must be in \(0, 1\)/);
    expect(() => new ReduceLROnPlateau({ patience: -1 })).toThrow(
      /patience must be an integer ≥ 0/,
    );
    expect(() => new ReduceLROnPlateau({ mode: 'up' as 'min' })).toThrow(
      /mode must be 'min' or 'max'/,
    );
    expect(() => new ReduceLROnPlateau({ minLr: -1 })).toThrow(/minLr must be ≥ 0/);
  });
});
