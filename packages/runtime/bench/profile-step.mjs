// Where one SGD step's time goes on wasm: milliseconds per kernel call (nested calls counted
// in their caller too), by kernel and input shapes, for one step after six warm-up steps.
// Run after `pnpm run build`:
//   node bench/profile-step.mjs [--model convnet|mlp|resnet18] [--batch 32] [--stock]
// --stock: tfjs-backend-wasm's own kernels (+ the naive filter gradient). Prints JSON.
import * as tf from '@tensorflow/tfjs';
import { startWasmBackend, unregisterWasmTrainingKernels } from '../dist/index.js';
import { convNet, mlp, resnet18 } from './models.mjs';
import { naiveConv2DBackpropFilterConfig } from './naive-conv2d-backprop-filter.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : process.argv[i + 1];
};
const which = arg('model', 'convnet');
const batch = Number(arg('batch', which === 'mlp' ? 128 : which === 'resnet18' ? 8 : 32));
await startWasmBackend();
if (process.argv.includes('--stock')) {
  unregisterWasmTrainingKernels();
  tf.registerKernel(naiveConv2DBackpropFilterConfig);
}

const calls = [];
const names = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
for (const name of names) {
  const config = tf.getKernel(name, 'wasm');
  const inner = config.kernelFunc;
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({
    ...config,
    kernelFunc: (args) => {
      const start = performance.now();
      const out = inner(args);
      const shapes = Object.values(args.inputs)
        .filter(Boolean)
        .map((i) => i.shape);
      calls.push([`${name} ${JSON.stringify(shapes)}`, performance.now() - start]);
      return out;
    },
  });
}

const { model, inputShape } = {
  convnet: { model: convNet(), inputShape: [28, 28, 1] },
  mlp: { model: mlp(), inputShape: [784] },
  resnet18: { model: resnet18(), inputShape: [32, 32, 3] },
}[which];
const optimizer = tf.train.sgd(0.01);
const x = tf.randomNormal([batch, ...inputShape]);
const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32'), 10);
const step = () =>
  tf.tidy(() => {
    optimizer
      .minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true })), true)
      .dataSync();
  });
for (let i = 0; i < 6; i++) step(); // warm-up: XNNPACK operators, V8's JIT of the JS kernels
calls.length = 0;
const start = performance.now();
step();
const stepMs = performance.now() - start;
const byCall = {};
for (const [key, ms] of calls) byCall[key] = (byCall[key] ?? 0) + ms;
const top = Object.entries(byCall)
  .sort((a, b) => b[1] - a[1])
  .slice(0, Number(process.env.TOP ?? 25))
  .map(([call, ms]) => ({ call, ms: Math.round(ms * 10) / 10 }));
console.log(
  JSON.stringify(
    {
      model: which,
      batch,
      stepMs: Math.round(stepMs),
      samplesPerSecond: Math.round((batch * 1000) / stepMs),
      top,
    },
    null,
    2,
  ),
);
