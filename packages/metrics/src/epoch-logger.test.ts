import * as tf from '@tensorflow/tfjs';
import { describe, expect, it, vi } from 'vitest';
import { EpochLogger } from './epoch-logger.js';
import { SparsityLogger } from './sparsity-logger.js';

function classifier() {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [3], units: 5, activation: 'relu' }),
      tf.layers.dense({ units: 2, activation: 'softmax' }),
    ],
  });
  model.compile({
    optimizer: tf.train.sgd(0.1),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  const x = tf.randomNormal([20, 3], 0, 1, 'float32', 1);
  const y = tf.oneHot(
    tf.tensor1d([0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 1, 0, 0, 1], 'int32'),
    2,
  );
  return { model, x, y };
}

describe('EpochLogger', () => {
  it('prints one line per epoch with the epoch, its time and every log value', async () => {
    const { model, x, y } = classifier();
    const lines: string[] = [];
    const history = await model.fit(x, y, {
      epochs: 2,
      batchSize: 5,
      validationSplit: 0.25,
      verbose: 0,
      callbacks: [new SparsityLogger(), new EpochLogger({ output: (l) => lines.push(l) })],
    });
    expect(lines).toHaveLength(2);
    const number = '-?[\\d.]+(e[-+]\\d+)?';
    expect(lines[0]).toMatch(
      new RegExp(
        `^epoch 1/2 \\(\\d+\\.\\d\\d s\\): val_loss ${number}, val_acc ${number}, loss ${number}, acc ${number}, nTotal 1, nLinear 1, l1Norm ${number}, activeNeurons_0 5, activeNeurons_1 2$`,
      ),
    );
    // the values are the epoch's, to 4 significant digits
    const loss = Number(/ loss ([^,]+),/.exec(lines[1]!)![1]);
    expect(loss).toBe(Number((history.history.loss![1] as number).toPrecision(4)));
    model.dispose();
    tf.dispose([x, y]);
  });

  it('writes to a stream, prints console.log by default, and takes digits', async () => {
    const { model, x, y } = classifier();
    const chunks: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    await model.fit(x, y, {
      epochs: 1,
      verbose: 0,
      callbacks: [
        new EpochLogger({ output: { write: (text: string) => chunks.push(text) }, digits: 2 }),
        new EpochLogger(),
      ],
    });
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toMatch(/^epoch 1\/1 \([\d.]+ s\): loss \d\.\d+(e-\d+)?, acc [\d.]+\n$/);
    expect(
      /loss ([^,]+),/.exec(chunks[0]!)![1]!.replace(/^0\.0*|\./g, '').length,
    ).toBeLessThanOrEqual(2);
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0]![0]).toMatch(/^epoch 1\/1 /);
    log.mockRestore();
    model.dispose();
    tf.dispose([x, y]);
  });

  it('refuses bad options', () => {
    expect(() => new EpochLogger({ output: 'stdout' as never })).toThrow(
      'EpochLogger: output must be a function (line: string) => void or a writable stream (an object with write), got stdout',
    );
    expect(() => new EpochLogger({ digits: 0 })).toThrow(
      'EpochLogger: digits must be an integer in [1, 21], got 0',
    );
    expect(() => new EpochLogger(null as never)).toThrow(/EpochLogger: options must be an object/);
  });
});
