import { L1 } from '@bregman/core-prox';
import { LinBreg, rulesForModel } from '@bregman/optimizers';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { SparsestCheckpoint } from './sparsest-checkpoint.js';

/** A 10-8-2 MLP whose first kernel has `nonZero` leading non-zero entries of 80 (others 0). */
function mlpWith(model: tf.Sequential | null, nonZero: number): tf.Sequential {
  const m =
    model ??
    tf.sequential({
      layers: [
        tf.layers.dense({ units: 8, inputShape: [10], useBias: false }),
        tf.layers.dense({ units: 2, useBias: false }),
      ],
    });
  tf.tidy(() => {
    const first = Array.from({ length: 80 }, (_, i) => (i < nonZero ? 1 + i : 0));
    m.layers[0]!.setWeights([tf.tensor2d(first, [10, 8])]);
    m.layers[1]!.setWeights([tf.fill([8, 2], 0.5)]);
  });
  return m;
}

describe('SparsestCheckpoint', () => {
  it('keeps the sparsest epoch that meets the threshold, stops above a density, restores it', async () => {
    const model = mlpWith(null, 40);
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const keeper = new SparsestCheckpoint({
      monitor: 'val_acc',
      threshold: 0.95,
      mode: 'max',
      stopAboveDensity: 0.7,
      model,
    });
    // density N_total over 96 kernel entries: 16 (second kernel) + nonZero
    const epochs: Array<[number, number]> = [
      [40, 0.9], // not good enough
      [24, 0.96], // kept
      [8, 0.97], // sparser and good: kept
      [4, 0.5], // sparser, not good
      [20, 0.99], // good, denser: not kept
      [60, 0.99], // density 76/96 > 0.7 with a kept checkpoint: stop
    ];
    for (const [epoch, [nonZero, acc]] of epochs.entries()) {
      mlpWith(model, nonZero);
      await keeper.onEpochEnd(epoch, { val_acc: acc });
      if (epoch === 0) expect(keeper.kept).toBeNull();
    }
    expect(keeper.kept).toEqual({ epoch: 2, density: (16 + 8) / 96, value: 0.97 });
    expect(keeper.stoppedAt).toBe(5);
    expect(model.stopTraining).toBe(true);
    expect(keeper.restore()).toBe(true);
    const first = Array.from(model.layers[0]!.getWeights()[0]!.dataSync());
    expect(first.filter((v) => v !== 0)).toHaveLength(8);
    keeper.dispose();
    model.dispose();
  });

  it('in model.fit: the model ends with the kept weights (restoreAtEnd); none good: left as trained', async () => {
    const x = tf.randomNormal([64, 10], 0, 1, 'float32', 1);
    const y = tf.oneHot(tf.cast(tf.greater(tf.sum(x, 1), 0), 'int32'), 2);
    const model = mlpWith(null, 4);
    const rules = rulesForModel(model, { dense: new L1({ lambda: 0.01 }) });
    model.compile({
      optimizer: new LinBreg({ learningRate: 0.1, rules }),
      loss: 'categoricalCrossentropy',
    });
    const snapshots: tf.Tensor[][] = [];
    const keeper = new SparsestCheckpoint({ monitor: 'loss', threshold: 1e9, mode: 'min' });
    const snap = new tf.CustomCallback({
      onEpochEnd: async () => {
        snapshots.push(model.getWeights().map((w) => tf.clone(w)));
      },
    });
    await model.fit(x, y, { epochs: 3, batchSize: 16, verbose: 0, callbacks: [keeper, snap] });
    const kept = keeper.kept!;
    expect(kept).not.toBeNull();
    const ends = model.getWeights().map((w) => Array.from(w.dataSync()));
    expect(ends).toEqual(snapshots[kept.epoch]!.map((w) => Array.from(w.dataSync())));

    const never = new SparsestCheckpoint({ monitor: 'loss', threshold: -1, mode: 'min' });
    await model.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0, callbacks: [never, snap] });
    expect(never.kept).toBeNull();
    expect(never.restore()).toBe(false);
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(
      snapshots.at(-1)!.map((w) => Array.from(w.dataSync())),
    );
    keeper.dispose();
    tf.dispose([x, y, ...snapshots.flat()]);
    model.dispose();
  });

  it('bad options and a missing log value are errors that say what is allowed', async () => {
    const model = mlpWith(null, 4);
    expect(() => new SparsestCheckpoint({ monitor: 'val_acc', threshold: 0.9 } as never)).toThrow(
      "SparsestCheckpoint: mode must be 'max' (larger is better, accuracies) or 'min' (losses), got undefined",
    );
    expect(() => new SparsestCheckpoint({ monitor: '', threshold: 0.9, mode: 'max' })).toThrow(
      'monitor must be the name of an epoch log value',
    );
    expect(
      () => new SparsestCheckpoint({ monitor: 'acc', threshold: Number.NaN, mode: 'max' }),
    ).toThrow('SparsestCheckpoint: threshold must be a finite number, got NaN');
    expect(
      () =>
        new SparsestCheckpoint({
          monitor: 'acc',
          threshold: 0.9,
          mode: 'max',
          stopAboveDensity: 2,
        }),
    ).toThrow('SparsestCheckpoint: stopAboveDensity must be a number in (0, 1], got 2');
    const keeper = new SparsestCheckpoint({
      monitor: 'val_acc',
      threshold: 0.9,
      mode: 'max',
      model,
    });
    await expect(keeper.onEpochEnd(0, { loss: 0.3, acc: 0.9 })).rejects.toThrow(
      "SparsestCheckpoint: the epoch logs have no 'val_acc' (they have 'loss', 'acc'); val_* values need validationData or validationSplit",
    );
    model.dispose();
  });
});
