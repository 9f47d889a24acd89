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

let workerCalls = 0;

/** The identity; in a worker thread, its third call (the third step) throws. */
export class ThrowsInWorkerAtStep3 extends tf.layers.Layer {
  static className = 'TestThrowsInWorkerAtStep3';
  call(inputs) {
    if (!isMainThread && ++workerCalls === 3) throw new Error('boom at step 3');
    return Array.isArray(inputs) ? inputs[0] : inputs;
  }
}

/** The identity; in a worker thread, its third call (the third step) ends the thread (code 9). */
export class ExitsInWorkerAtStep3 extends tf.layers.Layer {
  static className = 'TestExitsInWorkerAtStep3';
  call(inputs) {
    if (!isMainThread && ++workerCalls === 3) process.exit(9);
    return Array.isArray(inputs) ? inputs[0] : inputs;
  }
}

/** The identity; on the main thread, its second call (the second step) throws, once. */
export class ThrowsOnMainAtStep2 extends tf.layers.Layer {
  static className = 'TestThrowsOnMainAtStep2';
  static calls = 0;
  call(inputs) {
    if (isMainThread && ++ThrowsOnMainAtStep2.calls === 2)
      throw new Error('boom on the main thread');
    return Array.isArray(inputs) ? inputs[0] : inputs;
  }
}

/** The identity; in a worker thread, it first keeps the thread busy for 200 ms. */
export class SlowInWorker extends tf.layers.Layer {
  static className = 'TestSlowInWorker';
  call(inputs) {
    if (!isMainThread) {
      const until = Date.now() + 200;
      while (Date.now() < until);
    }
    return Array.isArray(inputs) ? inputs[0] : inputs;
  }
}

let updates = 0;

/** SGD whose second update in a worker thread throws (after the step's gradients were summed). */
export class ThrowsOnUpdate2InWorker extends tf.SGDOptimizer {
  static className = 'TestThrowsOnUpdate2InWorker';
  applyGradients(gradients) {
    if (!isMainThread && ++updates === 2) throw new Error('boom in the update');
    return super.applyGradients(gradients);
  }
}

for (const cls of [
  Twice,
  ThrowsInWorker,
  ExitsInWorker,
  ThrowsInWorkerAtStep3,
  ExitsInWorkerAtStep3,
  ThrowsOnMainAtStep2,
  SlowInWorker,
  ThrowsOnUpdate2InWorker,
]) {
  tf.serialization.registerClass(cls);
}
