import { Rng } from '@bregman/core-prox';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createDataset, type ImageDataset } from './dataset.js';
import { toFloat32 } from './to-float32.js';
import { toTensors } from './to-tensors.js';

function randomDataset(count: number, name = 'rand'): ImageDataset {
  const rng = new Rng(7);
  return createDataset({
    name,
    images: Uint8Array.from({ length: count * 4 * 3 * 2 }, () => rng.below(256)),
    labels: Uint8Array.from({ length: count }, (_, i) => i % 3),
    height: 4,
    width: 3,
    channels: 2,
    numClasses: 3,
  });
}
const ds = randomDataset(11);

describe('toTensors', () => {
  it('gives every image, in dataset order, as [n, h, w, c] float32 and one-hot labels', () => {
    const { x, y } = toTensors(ds);
    expect(x.dtype).toBe('float32');
    expect(x.shape).toEqual([11, 4, 3, 2]);
    expect(Array.from(x.dataSync())).toEqual(Array.from(toFloat32(ds)));
    expect(y.dtype).toBe('float32');
    expect(y.shape).toEqual([11, 3]);
    const rows = y.arraySync() as number[][];
    rows.forEach((row, i) => {
      expect(row).toEqual([0, 1, 2].map((k) => (k === ds.labels[i] ? 1 : 0)));
    });
    tf.dispose([x, y]);
  });

  it("flattens with layout: 'flat', gives int32 class indices with labelFormat: 'int', and standardizes", () => {
    const standardize = { mean: [0.5, 0.25], std: [0.5, 2] };
    const { x, y } = toTensors(ds, { layout: 'flat', labelFormat: 'int', standardize });
    expect(x.shape).toEqual([11, 24]);
    expect(Array.from(x.dataSync())).toEqual(Array.from(toFloat32(ds, { standardize })));
    expect(y.dtype).toBe('int32');
    expect(Array.from(y.dataSync())).toEqual(Array.from(ds.labels));
    tf.dispose([x, y]);
  });

  it('feeds model.fit directly', async () => {
    const { x, y } = toTensors(randomDataset(32), { layout: 'flat' });
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [24], units: 3, activation: 'softmax' })],
    });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
    const history = await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
    expect(history.history.loss).toHaveLength(2);
    expect(Number.isFinite(history.history.loss?.[1] as number)).toBe(true);
    model.dispose();
    tf.dispose([x, y]);
  });

  it('leaves no tensor behind but the two it returns', () => {
    const before = tf.memory().numTensors;
    const { x, y } = toTensors(ds);
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([x, y]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses bad arguments with errors that name them and say what is allowed', () => {
    expect(() => toTensors(ds, { oneHot: true } as never)).toThrow(
      /toTensors: unknown option 'oneHot'; the options are layout, labelFormat, standardize.*labelFormat: 'onehot'/,
    );
    expect(() => toTensors(ds, { layout: 'nhwc' as never })).toThrow(
      /toTensors: layout must be one of 'image', 'flat', got nhwc/,
    );
    expect(() => toTensors(ds, { labelFormat: 'onehot1' as never })).toThrow(
      /toTensors: labelFormat must be one of 'onehot', 'int'/,
    );
    expect(() => toTensors(ds, { standardize: { mean: [0, 0, 0], std: [1] } })).toThrow(
      /toTensors\(rand\): standardize\.mean must be an array of 1 or 2 \(channels\) numbers/,
    );
    expect(() => toTensors(ds, null as never)).toThrow(/toTensors: options must be an object/);
    expect(() => toTensors({ train: ds, test: ds } as never)).toThrow(
      /toTensors: dataset must be an ImageDataset .*not the \{train, test\} pair/,
    );
    expect(() => toTensors(undefined as never)).toThrow(
      /toTensors: dataset must be an ImageDataset .*got undefined/,
    );
    expect(() => toTensors(randomDataset(0, 'empty'))).toThrow(/toTensors: empty has no images/);
  });
});
