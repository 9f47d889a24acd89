// Custom layers for the data-parallel tests, registered with tfjs wherever this module is
// imported (the test file, and the worker threads through the trainer's `modules` option).
import { isMainThread } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';

/** Multiplies by 2 everywhere. */
export class Twice extends tf.layers.Layer {
  static className = 'TestTwice';
  call(inputs) {
    return tf.mul(Array.isArray(inputs) ? inputs[0] : inputs, 2);
  }
}

/** The identity on the main thread; throws in a worker thread. */
export class ThrowsInWorker extends tf.layers.Layer {
  static className = 'TestThrowsInWorker';
  call(inputs) {
    if (!isMainThread) throw new Error('boom in the worker');
    return Array.isArray(inputs) ? inputs[0] : inputs;
  }
}

/** The identity on the main thread; ends a worker thread with exit code 7. */
export class ExitsInWorker extends tf.layers.Layer {
  static className = 'TestExitsInWorker';
  call(inputs) {
    if (!isMainThread) process.exit(7);
    return Array.isArray(inputs) ? inputs[0] : inputs;
  }
}

for (const cls of [Twice, ThrowsInWorker, ExitsInWorker]) tf.serialization.registerClass(cls);
