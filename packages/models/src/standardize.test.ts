import { expectAllClose } from '@bregman/test-utils';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Standardize } from './standardize.js';
import { standardize } from './standardize-op.js';

async function saveAndLoad(model: tf.LayersModel): Promise<tf.LayersModel> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  // through JSON, as a file would
  const topology = JSON.parse(JSON.stringify(artifacts!.modelTopology));
  return tf.loadLayersModel(tf.io.fromMemory({ ...artifacts!, modelTopology: topology }));
}

describe('Standardize', () => {
  it('computes (x − mean) / std per channel (last axis) or for all entries', () => {
    const perChannel = tf.sequential({
      layers: [new Standardize({ inputShape: [2, 3], mean: [1, 2, 3], std: [2, 4, 0.5] })],
    });
    const scalar = tf.sequential({
      layers: [new Standardize({ inputShape: [3], mean: 0.1307, std: 0.3081 })],
    });
    tf.tidy(() => {
      const x = tf.tensor3d([
        [
          [1, 2, 3],
          [5, 6, 7],
        ],
      ]);
      expectAllClose((perChannel.predict(x) as tf.Tensor).dataSync(), [0, 0, 0, 2, 1, 8]);
      const v = tf.tensor2d([[0, 0.1307, 1]]);
      expectAllClose((scalar.predict(v) as tf.Tensor).dataSync(), [
        -0.1307 / 0.3081,
        0,
        (1 - 0.1307) / 0.3081,
      ]);
    });
    expect(perChannel.countParams()).toBe(0);
    perChannel.dispose();
    scalar.dispose();
  });

  it('survives model.save / tf.loadLayersModel with its mean and std', async () => {
    const model = tf.sequential({
      layers: [
        new Standardize({
          inputShape: [4],
          mean: [0.1, 0.2, 0.3, 0.4],
          std: 2,
          name: 'standardize',
        }),
        tf.layers.dense({ units: 2 }),
      ],
    });
    const loaded = await saveAndLoad(model);
    const layer = loaded.getLayer('standardize');
    expect(layer).toBeInstanceOf(Standardize);
    expect((layer as Standardize).mean).toEqual([0.1, 0.2, 0.3, 0.4]);
    expect((layer as Standardize).std).toEqual([2]);
    tf.tidy(() => {
      const x = tf.randomNormal([5, 4], 0, 1, 'float32', 1);
      expectAllClose(
        (loaded.predict(x) as tf.Tensor).dataSync(),
        (model.predict(x) as tf.Tensor).dataSync(),
      );
    });
    model.dispose();
    loaded.dispose();
  });

  it('makes its mean and std tensors once, remakes them if disposed, and disposes them with the model', () => {
    const before = tf.memory().numTensors;
    const model = tf.sequential({
      layers: [new Standardize({ inputShape: [3], mean: [1, 2, 3], std: 2, name: 's' })],
    });
    const x = tf.tensor2d([[1, 2, 3]]);
    const predict = () => tf.tidy(() => Array.from((model.predict(x) as tf.Tensor).dataSync()));
    expect(predict()).toEqual([0, 0, 0]);
    const made = tf.memory().numTensors;
    expect(made).toBe(before + 1 + 2); // x, and the mean and std
    expect(predict()).toEqual([0, 0, 0]);
    expect(tf.memory().numTensors).toBe(made);
    const layer = model.getLayer('s') as unknown as { statisticTensors: { mean: tf.Tensor } };
    layer.statisticTensors.mean.dispose();
    expect(predict()).toEqual([0, 0, 0]);
    expect(tf.memory().numTensors).toBe(made);
    model.dispose();
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('passes the gradient dy / std to what is before it', () => {
    const x = tf.tensor2d([[1, -2, 3]]);
    const [mean, std] = [tf.tensor1d([0.5]), tf.tensor1d([2, 4, 0.5])];
    const dx = tf.grad((v: tf.Tensor) =>
      tf.sum(tf.mul(standardize(v, mean, std), tf.tensor1d([1, 2, 3]))),
    )(x);
    expectAllClose(dx.dataSync(), [0.5, 0.5, 6]);
    tf.dispose([x, mean, std, dx]);
  });

  it.each<[string, () => unknown, RegExp]>([
    [
      'std 0',
      () => new Standardize({ std: 0 }),
      /Standardize: std\[0\] must be a finite number > 0, got 0/,
    ],
    [
      'mean NaN',
      () => new Standardize({ mean: [0, Number.NaN] }),
      /mean\[1\] must be a finite number, got NaN/,
    ],
    [
      'lengths',
      () => new Standardize({ mean: [0, 1], std: [1, 2, 3] }),
      /same length .* got 2 and 3/,
    ],
    ['empty', () => new Standardize({ mean: [] }), /must not be empty/],
    [
      'channels',
      () => tf.sequential({ layers: [new Standardize({ inputShape: [5], mean: [0, 1, 2] })] }),
      /mean has 3 entries but the input has 5 channels/,
    ],
  ])('bad %s is an error naming it', (_name, make, message) => {
    expect(make).toThrow(message);
  });
});
