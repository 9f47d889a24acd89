// What a new user writes after
// `npm install @bregman/{core-prox,init,optimizers,metrics,models,runtime} @tensorflow/tfjs`:
// their own tf.sequential model, trained with LinBreg to a target density, the sparsest good
// epoch kept, compacted, saved to disk without tfjs-node. Prints one JSON line.
import { writeFileSync } from 'node:fs';
import { L1 } from '@bregman/core-prox';
import { sparsifyModel } from '@bregman/init';
import { SparsestCheckpoint } from '@bregman/metrics';
import { compact } from '@bregman/models';
import { DensityController, LinBreg, rulesForModel } from '@bregman/optimizers';
import { fileSystemHandler, useBestBackend } from '@bregman/runtime';
import * as tf from '@tensorflow/tfjs';

const [dir] = process.argv.slice(2);
const backend = await useBestBackend();

// 4 classes that depend on 4 of 20 features
const x = tf.randomNormal([2048, 20], 0, 1, 'float32', 1);
const teacher = tf.concat([tf.randomNormal([4, 4], 0, 1, 'float32', 2), tf.zeros([16, 4])]);
const y = tf.oneHot(tf.argMax(tf.matMul(x, teacher), 1), 4);

const model = tf.sequential({
  layers: [
    tf.layers.dense({ units: 64, activation: 'relu', inputShape: [20] }),
    tf.layers.dense({ units: 32, activation: 'relu' }),
    tf.layers.dense({ units: 4, activation: 'softmax' }),
  ],
});
// the paper's start: 5 % of the weights (sparse initialization, §4.1)
sparsifyModel(model, { density: 0.05, seed: 3 });
const optimizer = new LinBreg({
  learningRate: 0.1,
  rules: rulesForModel(model, { dense: new L1({ lambda: 0.01 }) }),
});
model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
const controller = new DensityController({ targetDensity: 0.1 });
const keeper = new SparsestCheckpoint({ monitor: 'val_acc', threshold: 0.9, mode: 'max' });
await model.fit(x, y, {
  epochs: 12,
  batchSize: 32,
  validationSplit: 0.25,
  shuffle: false, // the same run every time
  verbose: 0,
  callbacks: [controller, keeper],
});

const { model: small, before, after } = await compact(model);
await small.save(fileSystemHandler(dir));
const probe = tf.randomNormal([8, 20], 0, 1, 'float32', 7);
const predictions = Array.from(await small.predict(probe).data());
writeFileSync(`${dir}/probe.json`, JSON.stringify({ probe: Array.from(await probe.data()) }));
console.log(
  JSON.stringify({
    backend: backend.name,
    kept: keeper.kept,
    lastAdjustment: controller.history.at(-1).adjustments[0],
    params: [before.params, after.params],
    predictions,
  }),
);
