// Runs before every test file: the `cpu` backend is the reference the tests measure against.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';

await tf.setBackend('cpu');
await tf.ready();
