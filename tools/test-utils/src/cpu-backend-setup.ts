// Runs before every test file: the `cpu` backend is the reference the tests measure against.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';

// IS_TEST silences tfjs's "install the node backend" banner in test logs.
tf.env().set('IS_TEST', true);
await tf.setBackend('cpu');
await tf.ready();
