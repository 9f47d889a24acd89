// Training throughput on the wasm backend, stock kernels vs @bregman/runtime's, in one process
// (alternating, so that both see the same machine load). Run after `pnpm run build`:
//   node bench/throughput.mjs [--repeats 5] [--conv-steps 6] [--mlp-steps 30] [--resnet]
// Prints one JSON object. "stock" = tfjs-backend-wasm 4.22's own kernels, plus a naive JS
// Conv2DBackpropFilter (it has none; see naive-conv2d-backprop-filter.mjs).
import { availableParallelism, cpus, loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import {
  registerWasmTrainingKernels,
  startWasmBackend,
  unregisterWasmTrainingKernels,
} from '../dist/index.js';
import { convNet, mlp, resnet18 } from './models.mjs';
import { naiveConv2DBackpropFilterConfig } from './naive-conv2d-backprop-filter.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};
const repeats = arg('repeats', 5);
const convSteps = arg('conv-steps', 6);
const mlpSteps = arg('mlp-steps', 30);
const withResnet = process.argv.includes('--resnet');
const profile = process.argv.includes('--profile');

const wasm = await startWasmBackend();

function useStock() {
  unregisterWasmTrainingKernels();
  if (!tf.getKernel('Conv2DBackpropFilter', 'wasm'))
    tf.registerKernel(naiveConv2DBackpropFilterConfig);
}
function useOurs() {
  if (
    tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc ===
    naiveConv2DBackpropFilterConfig.kernelFunc
  ) {
    tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
  }
  registerWasmTrainingKernels();
}

/** samples/s of `steps` SGD steps (after `warmup` steps) of `model` at `batch`. */
function throughput(model, inputShape, batch, steps, warmup = 3) {
  const optimizer = tf.train.sgd(0.01);
  const x = tf.randomNormal([batch, ...inputShape], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 2), 10);
  const step = () =>
    tf.tidy(() => {
      const loss = optimizer.minimize(
        () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true })),
        true,
      );
      return loss.dataSync()[0];
    });
  let loss = step(); // warm-up: XNNPACK operators, V8's JIT of the JS kernels
  for (let i = 1; i < warmup; i++) loss = step();
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < steps; i++) loss = step();
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  tf.dispose([x, y]);
  optimizer.dispose();
  if (!Number.isFinite(loss)) throw new Error(`non-finite loss ${loss}`);
  // wall: what a user sees on this (shared) machine; cpu: per second of this process's CPU
  // time (one wasm thread), which other processes' load perturbs much less
  return {
    wall: (batch * steps) / seconds,
    cpu: (batch * steps) / ((cpu.user + cpu.system) / 1e6),
  };
}

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function kernelProfile(model, inputShape, batch) {
  const optimizer = tf.train.sgd(0.01);
  const x = tf.randomNormal([batch, ...inputShape]);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32'), 10);
  const f = () =>
    tf.tidy(() =>
      optimizer.minimize(() =>
        tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true })),
      ),
    );
  f();
  const info = await tf.profile(f);
  const byName = {};
  for (const k of info.kernels) byName[k.name] = (byName[k.name] ?? 0) + (await k.kernelTimeMs);
  tf.dispose([x, y]);
  return Object.fromEntries(
    Object.entries(byName)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([k, v]) => [k, Math.round(v * 10) / 10]),
  );
}

const runs = {
  convnet: { stock: { wall: [], cpu: [] }, ours: { wall: [], cpu: [] } },
  mlp: { stock: { wall: [], cpu: [] }, ours: { wall: [], cpu: [] } },
};
const record = (into, r) => {
  into.wall.push(r.wall);
  into.cpu.push(r.cpu);
};
const conv = convNet();
const dense = mlp();
for (let r = 0; r < repeats; r++) {
  for (const [config, use] of r % 2 === 0
    ? [
        ['stock', useStock],
        ['ours', useOurs],
      ]
    : [
        ['ours', useOurs],
        ['stock', useStock],
      ]) {
    use();
    record(
      runs.convnet[config],
      config === 'stock' // stock steps take seconds: fewer of them, one warm-up
        ? throughput(conv, [28, 28, 1], 32, Math.max(2, Math.round(convSteps / 4)), 1)
        : throughput(conv, [28, 28, 1], 32, convSteps),
    );
    record(runs.mlp[config], throughput(dense, [784], 128, mlpSteps));
  }
}
useOurs();
const summary = (r) => ({
  wallMedian: Math.round(median(r.wall)),
  cpuMedian: Math.round(median(r.cpu)),
  wall: r.wall.map(Math.round),
  cpu: r.cpu.map(Math.round),
});
const group = (g, batch) => ({
  batch,
  stock: summary(g.stock),
  ours: summary(g.ours),
  speedupWall: Math.round((median(g.ours.wall) / median(g.stock.wall)) * 10) / 10,
  speedupCpu: Math.round((median(g.ours.cpu) / median(g.stock.cpu)) * 10) / 10,
});
/** GFLOP/s of a 1024×1024 by 1024×1024 product (XNNPACK, cached weights): the machine's wasm peak. */
function matMulPeak() {
  const a = tf.randomNormal([1024, 1024]);
  const b = tf.randomNormal([1024, 1024]);
  const times = [];
  for (let i = 0; i < 6; i++) {
    const t = performance.now();
    tf.tidy(() => {
      tf.matMul(a, b).dataSync();
    });
    times.push(performance.now() - t);
  }
  tf.dispose([a, b]);
  return Math.round((2 * 1024 ** 3) / Math.min(...times.slice(1)) / 1e5) / 10;
}

const result = {
  command: `node bench/throughput.mjs ${process.argv.slice(2).join(' ')}`.trim(),
  machine: {
    cpu: cpus()[0]?.model,
    logicalCores: availableParallelism(),
    node: process.version,
    loadAverage: loadavg().map((v) => Math.round(v * 100) / 100),
    wasmMatMulPeakGflops: matMulPeak(),
  },
  backend: { name: tf.getBackend(), ...wasm },
  note:
    'samples/s of SGD steps (medians over repeats, stock and ours alternating); wall = samples per ' +
    'second of elapsed time, cpu = per second of this process CPU time; stock = tfjs-backend-wasm ' +
    '4.22 kernels + a naive JS Conv2DBackpropFilter (it has none)',
  convnet: group(runs.convnet, 32),
  mlp: group(runs.mlp, 128),
};
if (withResnet) {
  const net = resnet18();
  const batch = arg('resnet-batch', 8);
  const values = { wall: [], cpu: [] };
  for (let r = 0; r < Math.min(repeats, 3); r++)
    record(values, throughput(net, [32, 32, 3], batch, 2, 2));
  result.resnet18 = { batch, ours: summary(values) };
}
if (profile) {
  result.profileMs = {
    convnet: await kernelProfile(conv, [28, 28, 1], 32),
    mlp: await kernelProfile(dense, [784], 128),
  };
}
console.log(JSON.stringify(result, null, 2));
