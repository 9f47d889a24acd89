// A script that trains on 2 threads and ends without disposing of the trainer: the process must
// stay alive through each step, while the main thread waits for the (slow) worker thread, and
// end on its own afterwards (data-parallel/exit.test.ts).
import * as tf from '@tensorflow/tfjs';
import { DataParallelTrainer } from '../../../dist/index.js';
import { SlowInWorker } from './custom-layers.mjs';

await tf.setBackend('cpu');
const model = tf.sequential({
  layers: [tf.layers.dense({ units: 3, inputShape: [4] }), new SlowInWorker({ name: 'slow' })],
});
const trainer = await DataParallelTrainer.create({
  model,
  optimizer: tf.train.sgd(0.1),
  loss: 'meanSquaredError',
  workers: 2,
  backend: 'cpu',
  modules: [new URL('./custom-layers.mjs', import.meta.url).href],
});
const x = tf.ones([6, 4]);
const y = tf.zeros([6, 3]);
for (let i = 0; i < 3; i++) {
  const { loss } = await trainer.step(x, y);
  console.log(`step ${i + 1}: loss ${loss.toFixed(4)}`);
}
