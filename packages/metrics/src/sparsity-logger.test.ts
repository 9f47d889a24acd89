import { L1 } from '@bregman/core-prox';
import { LinBreg, rulesForModel } from '@bregman/optimizers';
import { tensorReads } from '@bregman/test-utils';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it, vi } from 'vitest';
import { bregmanDistanceTo } from './bregman-distance-to.js';
import { l1Norm } from './l1-norm.js';
import { convNet, mlpProblem } from './models.test-helper.js';
import { snapshotWeights } from './reference.js';
import { regularizerValue } from './regularizer-value.js';
import { sparsity } from './sparsity.js';
import { SparsityLogger, sparsityLogs } from './sparsity-logger.js';

describe('SparsityLogger', () => {
  it('adds the metrics to history.history of model.fit, once per epoch, never per batch', async () => {
    const { x, y, model } = mlpProblem();
    const rules = rulesForModel(model, { dense: new L1({ lambda: 0.05 }) });
    model.compile({
      optimizer: new LinBreg({ learningRate: 0.1, rules }),
      loss: 'categoricalCrossentropy',
      metrics: ['accuracy'],
    });
    const initial = snapshotWeights(model);
    const logger = new SparsityLogger({ rules, reference: initial, delta: 1 });
    const record = vi.spyOn(logger, 'record');
    let batches = 0;
    const history = await model.fit(x, y, {
      epochs: 3,
      batchSize: 32, // 3 batches per epoch
      verbose: 0,
      callbacks: [logger, new tf.CustomCallback({ onBatchEnd: async () => void batches++ })],
    });
    expect(batches).toBe(9);
    expect(record).toHaveBeenCalledTimes(3);
    const h = history.history;
    const keys = [
      'nTotal',
      'nLinear',
      'l1Norm',
      'activeNeurons_0',
      'activeNeurons_1',
      'regularizer',
      'bregmanDistance',
    ];
    for (const key of keys) expect(h[key], key).toHaveLength(3);
    expect(h.nConv).toBeUndefined(); // no Conv2D layer
    expect(h.loss).toHaveLength(3);
    expect(h.acc).toHaveLength(3);
    // the logs are the logger's own history, epoch by epoch
    expect(logger.history.map((e) => e.epoch)).toEqual([0, 1, 2]);
    logger.history.forEach((entry, epoch) => {
      const logs = sparsityLogs(entry);
      for (const key of keys) expect(h[key]?.[epoch]).toBe(logs[key]);
      expect(entry.sparsity.activeNeurons).toEqual([
        h.activeNeurons_0?.[epoch],
        h.activeNeurons_1?.[epoch],
      ]);
    });
    // the last epoch's numbers describe the trained model
    const last = logger.history.at(-1)!;
    expect(last.sparsity).toEqual(sparsity(model));
    expect(last.l1Norm).toBe(l1Norm(model));
    expect(last.regularizer).toBe(regularizerValue(model, rules));
    expect(last.bregmanDistance).toBe(bregmanDistanceTo(model, initial, rules, { delta: 1 }));
    expect(last.bregmanDistance).toBeGreaterThan(0); // training moved away from the init
    tf.dispose([...initial, x, y]);
    model.dispose();
  });

  it('logs nConv for a conv net, with a prefix', async () => {
    const model = convNet();
    const logger = new SparsityLogger({ prefix: 'sparsity/' });
    model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
    const x = tf.randomNormal([8, 4, 4, 2], 0, 1, 'float32', 1);
    const y = tf.zeros([8, 2]);
    const history = await model.fit(x, y, {
      epochs: 2,
      batchSize: 4,
      verbose: 0,
      callbacks: [logger],
    });
    expect(Object.keys(history.history).sort()).toEqual([
      'loss',
      'sparsity/activeNeurons_0',
      'sparsity/activeNeurons_1',
      'sparsity/l1Norm',
      'sparsity/nConv',
      'sparsity/nLinear',
      'sparsity/nTotal',
    ]);
    expect(history.history['sparsity/nConv']).toEqual(
      logger.history.map((e) => e.sparsity.convKernels),
    );
    tf.dispose([x, y]);
    model.dispose();
  });

  it('works in a custom loop with {model}; one data() read per record, no leaks', async () => {
    const model = convNet();
    const logger = new SparsityLogger({ model });
    await logger.record(0); // warm up
    const logs: Record<string, number> = { loss: 1 };
    const { reads, newTensors } = await tensorReads(async () => {
      for (let epoch = 1; epoch <= 5; epoch++) await logger.record(epoch, logs);
    });
    expect(reads).toMatchObject({ data: 5, dataSync: 0 });
    expect(newTensors).toBe(0);
    expect(logs).toEqual({ loss: 1, ...sparsityLogs(logger.history.at(-1)!) });
    expect(logger.history).toHaveLength(6);
    model.dispose();
  });

  it('rejects bad options and a missing model', async () => {
    await expect(new SparsityLogger().record(0)).rejects.toThrow(/SparsityLogger.record: no model/);
    expect(() => new SparsityLogger({ delta: 0 })).toThrow(/SparsityLogger: delta must be/);
    expect(() => new SparsityLogger({ rules: 'x' as never })).toThrow(/rules must be an array/);
    expect(() => new SparsityLogger({ model: {} as never })).toThrow(
      /SparsityLogger: model must be/,
    );
    expect(() => new SparsityLogger({ reference: {} as never })).toThrow(
      /SparsityLogger: reference must be a tf.LayersModel/,
    );
    expect(() => new SparsityLogger({ prefix: 3 as never })).toThrow(/prefix must be a string/);
  });
});
