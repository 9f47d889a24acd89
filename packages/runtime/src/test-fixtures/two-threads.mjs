// Starts the wasm backend on 2 threads, computes one shared product and returns: the process
// must end on its own (the threads wait for work unreferenced).
import * as tf from '@tensorflow/tfjs';
import { startWasmBackend } from '../../dist/index.js';

const { threads } = await startWasmBackend({ threads: 2 });
const a = tf.randomNormal([256, 256], 0, 1, 'float32', 1);
const sum = tf.matMul(a, a).sum().dataSync()[0];
console.log(`threads ${threads}, sum ${sum}`);
