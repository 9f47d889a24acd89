// A process that imports only @tensorflow/tfjs (no @bregman package) loads the saved model
// from its two files and prints its predictions on the saved probe as one JSON line.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';

const [dir] = process.argv.slice(2);
const artifacts = JSON.parse(readFileSync(`${dir}/model.json`, 'utf8'));
const weights = readFileSync(`${dir}/weights.bin`);
const model = await tf.loadLayersModel(
  tf.io.fromMemory({
    modelTopology: artifacts.modelTopology,
    weightSpecs: artifacts.weightsManifest[0].weights,
    weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
  }),
);
const { probe } = JSON.parse(readFileSync(`${dir}/probe.json`, 'utf8'));
const predictions = Array.from(await model.predict(tf.tensor2d(probe, [8, 20])).data());
console.log(JSON.stringify({ backend: tf.getBackend(), predictions }));
