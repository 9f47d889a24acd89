import { SparsityLogger } from '@bregman/metrics';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Batch } from './batch.js';
import type { TrainerCallback } from './fit.js';
import { DataParallelTrainer } from './trainer.js';
import { batch, mlp } from './trainer.test-helper.js';

describe('DataParallelTrainer.fit (2 workers)', () => {
  const model = mlp(8, 6);
  const batches: Batch[] = [batch(6, [8], 1), batch(4, [8], 2)];
  let trainer: DataParallelTrainer;
  beforeAll(async () => {
    trainer = await DataParallelTrainer.create({
      model,
      optimizer: tf.train.sgd(0.1),
      loss: 'softmaxCrossEntropy',
      workers: 2,
      backend: 'cpu',
    });
  });
  afterAll(async () => {
    await trainer.dispose();
    tf.dispose(batches.flatMap((b) => [b.x, b.y]) as tf.Tensor[]);
    model.dispose();
  });

  it('calls the callbacks as model.fit does, with model.fit’s logs; SparsityLogger works unchanged', async () => {
    const events: string[] = [];
    const batchLogs: Record<string, number>[] = [];
    const kernel = () => model.trainableWeights[0]!.read().dataSync().slice();
    const start = kernel();
    let moved = false;
    const recorder: TrainerCallback = {
      setModel: (m) => events.push(`setModel ${m === model}`),
      onTrainBegin: () => {
        events.push('trainBegin');
      },
      onEpochBegin: (epoch) => {
        events.push(`epochBegin ${epoch}`);
      },
      onBatchBegin: (b, logs) => {
        events.push(`batchBegin ${b} size ${logs?.size}`);
      },
      onBatchEnd: (b, logs) => {
        events.push(`batchEnd ${b}`);
        batchLogs.push({ ...logs });
      },
      onEpochEnd: (epoch, logs) => {
        events.push(`epochEnd ${epoch} ${Object.keys(logs ?? {}).join(',')}`);
        moved = kernel().some((v, i) => v !== start[i]);
      },
      onTrainEnd: () => {
        events.push('trainEnd');
      },
    };
    const logger = new SparsityLogger();
    const history = await trainer.fit(batches, { epochs: 2, callbacks: [logger, recorder] });

    expect(events).toEqual([
      'setModel true',
      'trainBegin',
      'epochBegin 0',
      'batchBegin 0 size 6',
      'batchEnd 0',
      'batchBegin 1 size 4',
      'batchEnd 1',
      expect.stringMatching(/^epochEnd 0 loss,acc,nTotal,nLinear,/),
      'epochBegin 1',
      'batchBegin 0 size 6',
      'batchEnd 0',
      'batchBegin 1 size 4',
      'batchEnd 1',
      expect.stringMatching(/^epochEnd 1 loss,acc,nTotal/),
      'trainEnd',
    ]);
    expect(moved).toBe(true); // the callbacks see the trained model
    for (const logs of batchLogs)
      expect(Object.keys(logs)).toEqual(['batch', 'size', 'loss', 'acc']);
    // epoch logs: the sample-weighted means of the batch logs
    const epoch0 = (batchLogs[0]!.loss! * 6 + batchLogs[1]!.loss! * 4) / 10;
    expect(history.epoch).toEqual([0, 1]);
    expect(history.history.loss![0]).toBeCloseTo(epoch0, 10);
    expect(history.history.acc).toHaveLength(2);
    expect(history.history.nTotal).toHaveLength(2);
    expect(logger.history.map((e) => e.epoch)).toEqual([0, 1]);
  });

  it('stops after the batch in which a callback sets model.stopTraining', async () => {
    let batchesRun = 0;
    const stopper: TrainerCallback = {
      onBatchEnd: () => {
        batchesRun++;
        model.stopTraining = true;
      },
    };
    const history = await trainer.fit(batches, { epochs: 3, callbacks: [stopper] });
    expect(batchesRun).toBe(1);
    expect(history.epoch).toEqual([0]);
  });

  it('takes a function of the epoch for generators; a generator itself runs only once', async () => {
    function* generate() {
      yield* batches;
    }
    const history = await trainer.fit(() => generate(), { epochs: 2 });
    expect(history.epoch).toEqual([0, 1]);
    await expect(trainer.fit(generate(), { epochs: 2 })).rejects.toThrow(
      /epoch 1 got no batch \(a generator runs only once: pass an array, or a function \(epoch\) => batches\)/,
    );
    await expect(trainer.fit(batches, { epochs: 0 })).rejects.toThrow(
      /epochs must be an integer ≥ 1, got 0/,
    );
    await expect(trainer.fit(3 as never)).rejects.toThrow(/batches must be an iterable/);
  });
});

it('meanSquaredError through 2 workers: loss only, no acc; the loss of the whole batch', async () => {
  const model = mlp(8, 6);
  const trainer = await DataParallelTrainer.create({
    model,
    optimizer: tf.train.sgd(0.01),
    loss: 'meanSquaredError',
    workers: 2,
    backend: 'cpu',
  });
  const { x, y } = batch(5, [8], 3);
  const expected = tf.tidy(
    () => tf.losses.meanSquaredError(y, model.predict(x) as tf.Tensor).dataSync()[0]!,
  );
  const logs = await trainer.step(x, y);
  expect(Object.keys(logs)).toEqual(['loss']);
  expect(logs.loss).toBeCloseTo(expected, 6);
  const history = await trainer.fit([{ x, y }], { epochs: 1 });
  expect(Object.keys(history.history)).toEqual(['loss']);
  await trainer.dispose();
  tf.dispose([x, y]);
  model.dispose();
});
