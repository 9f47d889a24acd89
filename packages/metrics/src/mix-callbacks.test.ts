import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { EpochLogger } from './epoch-logger.js';
import { mixCallbacks } from './mix-callbacks.js';
import { SparsityLogger } from './sparsity-logger.js';

function tinyFit() {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [4], units: 6, activation: 'relu' }),
      tf.layers.dense({ units: 2 }),
    ],
  });
  model.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError' });
  const x = tf.randomNormal([16, 4], 0, 1, 'float32', 1);
  const y = tf.randomNormal([16, 2], 0, 1, 'float32', 2);
  const done = () => {
    model.dispose();
    tf.dispose([x, y]);
  };
  return { model, x, y, done };
}

describe('callbacks: our callback objects beside plain {onEpochEnd} objects (issue 19)', () => {
  it('tfjs alone refuses the mix: a plain object after a callback object has no setParams', async () => {
    const { model, x, y, done } = tinyFit();
    const plain = { onEpochEnd: async () => {} };
    await expect(
      model.fit(x, y, { epochs: 1, verbose: 0, callbacks: [new SparsityLogger(), plain] as never }),
    ).rejects.toThrow(/setParams is not a function/);
    done();
  });

  it('a SparsityLogger that tfjs wrapped as a plain object says why and what to do', async () => {
    const { model, x, y, done } = tinyFit();
    const plain = { onEpochEnd: async () => {} };
    await expect(
      model.fit(x, y, { epochs: 1, verbose: 0, callbacks: [plain, new SparsityLogger()] as never }),
    ).rejects.toThrow(
      /^SparsityLogger: model.fit took this logger for a plain \{onEpochEnd, …\} object .* Build the array with mixCallbacks\(\[\.\.\.\]\)/,
    );
    done();
  });

  it('mixCallbacks makes any order work in model.fit, with tfjs callbacks too', async () => {
    for (const order of ['logger first', 'plain first'] as const) {
      const { model, x, y, done } = tinyFit();
      const logger = new SparsityLogger();
      const lines: string[] = [];
      const epochLogger = new EpochLogger({ output: (line) => lines.push(line) });
      const seen: Array<Record<string, number>> = [];
      let batches = 0;
      const plain = {
        onEpochEnd: (_epoch: number, logs?: tf.Logs) => void seen.push({ ...logs }),
        onBatchEnd: () => void batches++,
      };
      const stopper = tf.callbacks.earlyStopping({ monitor: 'loss', patience: 100 });
      const list =
        order === 'logger first'
          ? [logger, plain, stopper, epochLogger]
          : [plain, stopper, logger, epochLogger];
      const history = await model.fit(x, y, {
        epochs: 3,
        batchSize: 8,
        verbose: 0,
        callbacks: mixCallbacks(list),
      });
      expect(batches, order).toBe(6);
      expect(
        logger.history.map((e) => e.epoch),
        order,
      ).toEqual([0, 1, 2]);
      expect(history.history.nTotal, order).toHaveLength(3);
      // a plain object after the logger sees its keys in the epoch logs
      expect(
        seen.map((logs) => 'nTotal' in logs),
        order,
      ).toEqual(new Array(3).fill(order === 'logger first'));
      expect(lines, order).toHaveLength(3);
      expect(lines[2], order).toMatch(
        /^epoch 3\/3 \([\d.]+ s\): loss [\d.e-]+, nTotal 1, nLinear 1, /,
      );
      done();
    }
  });

  it('keeps callback objects as they are and wraps only the plain objects', () => {
    const logger = new SparsityLogger();
    const stopper = tf.callbacks.earlyStopping();
    const custom = new tf.CustomCallback({ onEpochEnd: async () => {} });
    const out = mixCallbacks([logger, { onTrainEnd: () => {} }, stopper, custom]);
    expect(out[0]).toBe(logger);
    expect(out[1]).toBeInstanceOf(tf.CustomCallback);
    expect(out[2]).toBe(stopper);
    expect(out[3]).toBe(custom);
    expect(mixCallbacks([])).toEqual([]);
  });

  it('bad lists are errors that name the element and the allowed hooks', () => {
    expect(() => mixCallbacks({ onEpochEnd() {} } as never)).toThrow(
      /mixCallbacks: callbacks must be an array of tf.Callback objects and plain \{onEpochEnd, …\} objects, got a Object/,
    );
    expect(() => mixCallbacks([{ onEpochEnds: () => {} } as never])).toThrow(
      'mixCallbacks: callbacks[0] must be a tf.Callback object or a plain object of hooks (onTrainBegin, onTrainEnd, onEpochBegin, onEpochEnd, onBatchBegin, onBatchEnd, onYield), got an object with the keys onEpochEnds',
    );
    expect(() => mixCallbacks([new SparsityLogger(), {}])).toThrow(
      /callbacks\[1\] must be .*got an object with no keys/,
    );
    expect(() => mixCallbacks([{ onEpochEnd: 'log' as never }])).toThrow(
      'mixCallbacks: callbacks[0].onEpochEnd must be a function, got log',
    );
    expect(() => mixCallbacks([null as never])).toThrow(/callbacks\[0\] must be .*got null/);
    expect(() => mixCallbacks([], { yieldEvery: -1 })).toThrow(
      /mixCallbacks: yieldEvery must be 'auto', 'batch', 'epoch', 'never' or a number of milliseconds ≥ 0, got -1/,
    );
  });
});
