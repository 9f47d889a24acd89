// The worker's training code without a browser: on tfjs's cpu backend (the test setup's), on
// a slice of the page's data.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { buildMnistAsset } from '../plugins/mnist-asset.js';
import { decodeMnistAsset, type ImageBytes, type MnistAsset } from '../src/data/asset-format.js';
import type { Snapshot } from '../src/protocol.js';
import { DEFAULT_SETTINGS } from '../src/settings.js';
import { buildRun } from '../src/worker/build-run.js';
import { toTensors } from '../src/worker/data-tensors.js';
import { exportCompacted } from '../src/worker/export-model.js';
import { Trainer } from '../src/worker/trainer.js';
import { APP_DIR } from './serve-app.js';

const PIXELS = 28 * 28;
let asset: MnistAsset;

function first(part: ImageBytes, n: number): ImageBytes {
  return { images: part.images.subarray(0, n * PIXELS), labels: part.labels.subarray(0, n) };
}

beforeAll(async () => {
  asset = decodeMnistAsset(await buildMnistAsset(APP_DIR));
});

it('LinBreg trains epochs of the sparse MLP, grows it, pauses, resumes without leaking tensors, and compacts it', async () => {
  expect(tf.getBackend()).toBe('cpu');
  const settings = { ...DEFAULT_SETTINGS, batchSize: 64 };
  const { model, optimizer } = buildRun(settings);
  const snapshots: Snapshot[] = [];
  let stopAt = 2;
  const trainer: Trainer = new Trainer({
    model,
    optimizer,
    train: toTensors(first(asset.train, 1024), PIXELS),
    validation: toTensors(first(asset.validation, 500), PIXELS),
    batchSize: settings.batchSize,
    seed: settings.seed,
    send: (snapshot) => {
      snapshots.push(snapshot);
      if (snapshot.epoch >= stopAt) void trainer.pause();
    },
  });
  expect(trainer.stepsPerEpoch).toBe(16);

  const initial = await trainer.initialSnapshot();
  expect(initial.step).toBe(0);
  expect(initial.density).toBeGreaterThan(0.005);
  expect(initial.density).toBeLessThan(0.015);
  expect(initial.kernels.map((k) => k.shape)).toEqual([
    [784, 200],
    [200, 80],
    [80, 10],
  ]);
  expect(initial.layers.map((l) => l.layer)).toEqual(['dense_1', 'dense_2', 'dense_3']);
  const initialAccuracy = initial.points[0]!.validationAccuracy!;

  await trainer.start();
  const afterTwo = snapshots.at(-1)!;
  expect(afterTwo.epoch).toBe(2);
  expect(afterTwo.step).toBe(32);
  expect(afterTwo.density).toBeGreaterThan(initial.density);
  const epochEnds = snapshots
    .flatMap((s) => s.points)
    .filter((p) => p.validationAccuracy !== undefined);
  expect(epochEnds.map((p) => p.epoch)).toEqual([1, 2]);
  expect(epochEnds.at(-1)!.validationAccuracy!).toBeGreaterThan(initialAccuracy + 0.3);
  expect(afterTwo.samplesPerSecondOverall).toBeGreaterThan(0);
  expect(afterTwo.samplesPerSecondWall).toBeLessThanOrEqual(afterTwo.samplesPerSecondOverall);
  const densityOf = (s: Snapshot) =>
    s.layers.reduce((n, l) => n + l.nonZeros, 0) / s.layers.reduce((n, l) => n + l.size, 0);
  expect(densityOf(afterTwo)).toBeCloseTo(afterTwo.density, 12);

  const tensors = tf.memory().numTensors;
  stopAt = 3;
  await trainer.start();
  expect(snapshots.at(-1)!.epoch).toBe(3);
  expect(tf.memory().numTensors).toBe(tensors);

  const compacted = await exportCompacted(model);
  const json = JSON.parse(compacted.modelJson) as tf.io.ModelJSON;
  expect(json.weightsManifest).toEqual([
    { paths: ['./playground-mlp.weights.bin'], weights: expect.any(Array) },
  ]);
  const weightSpecs = json.weightsManifest[0]!.weights;
  const floats = weightSpecs.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
  expect(compacted.weights.byteLength).toBe(4 * floats);
  expect(compacted.params.after).toBe(floats);
  expect(compacted.params.before).toBe(173_890);
  const reloaded = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs,
      weightData: compacted.weights,
    }),
  );
  const x = tf.tidy(() =>
    tf.div(
      tf.tensor2d(asset.validation.images.slice(0, 20 * PIXELS), [20, PIXELS], 'float32'),
      255,
    ),
  );
  const difference = tf.tidy(
    () =>
      tf
        .max(tf.abs(tf.sub(model.predict(x) as tf.Tensor, reloaded.predict(x) as tf.Tensor)))
        .dataSync()[0]!,
  );
  expect(difference).toBeLessThan(1e-4);
  tf.dispose([x]);
  reloaded.dispose();
  trainer.dispose();
});
