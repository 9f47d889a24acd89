// Milliseconds per call of each route of the convolution gradients on wasm, on the ConvNet's
// and CIFAR ResNet-18's shapes — the measurements behind src/wasm-kernels/routes.ts. Run
// after `pnpm run build`:  node bench/routes.mjs [--calls 5]   (prints JSON)
// cpuMs = this process's CPU time per call (the wasm backend runs one thread); wallMs =
// elapsed. Every call gets fresh inputs, as in training (XNNPACK packs its weights anew).
import * as tf from '@tensorflow/tfjs';
import { startWasmBackend } from '../dist/index.js';
import { filterRoute, forceRoutes, forwardRoute, inputRoute } from '../dist/wasm-kernels/routes.js';

const i = process.argv.indexOf('--calls');
const calls = i < 0 ? 5 : Number(process.argv[i + 1]);
await startWasmBackend();

/** Median CPU and wall ms of `calls` calls of kernel `name` on fresh copies of `inputs`. */
function time(name, inputs, attrs) {
  const once = () => {
    const fresh = Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, tf.add(t, 0)]));
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    tf.tidy(() => {
      tf.engine().runKernel(name, fresh, attrs).dataSync();
    });
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    tf.dispose(Object.values(fresh));
    return { cpu: (cpu.user + cpu.system) / 1000, wall };
  };
  once(); // warm-up
  const runs = Array.from({ length: calls }, once);
  const median = (v) => v.sort((a, b) => a - b)[v.length >> 1];
  const r = (v) => Math.round(v * 10) / 10;
  return { cpuMs: r(median(runs.map((x) => x.cpu))), wallMs: r(median(runs.map((x) => x.wall))) };
}

const shapes = [
  ['ConvNet conv1, batch 32', [32, 28, 28, 1], [5, 5, 1, 64], 1, 'valid'],
  ['ConvNet conv2, batch 32', [32, 12, 12, 64], [5, 5, 64, 64], 1, 'valid'],
  ['ConvNet conv1, batch 128', [128, 28, 28, 1], [5, 5, 1, 64], 1, 'valid'],
  ['ConvNet conv2, batch 128', [128, 12, 12, 64], [5, 5, 64, 64], 1, 'valid'],
  ['ResNet stem, batch 8', [8, 32, 32, 3], [3, 3, 3, 64], 1, 'same'],
  ['ResNet layer1 3×3, batch 8', [8, 32, 32, 64], [3, 3, 64, 64], 1, 'same'],
  ['ResNet layer2 3×3 stride 2, batch 8', [8, 32, 32, 64], [3, 3, 64, 128], 2, 'same'],
  ['ResNet layer2 1×1 projection, batch 8', [8, 32, 32, 64], [1, 1, 64, 128], 2, 'same'],
  ['ResNet layer3 3×3, batch 8', [8, 8, 8, 256], [3, 3, 256, 256], 1, 'same'],
  ['ResNet layer4 3×3, batch 8', [8, 4, 4, 512], [3, 3, 512, 512], 1, 'same'],
  ['ResNet layer1 3×3, batch 32', [32, 32, 32, 64], [3, 3, 64, 64], 1, 'same'],
  ['ResNet layer3 3×3, batch 32', [32, 8, 8, 256], [3, 3, 256, 256], 1, 'same'],
];
const results = [];
for (const [label, xShape, wShape, strides, pad] of shapes) {
  const x = tf.randomNormal(xShape);
  const w = tf.randomNormal(wShape);
  const y = tf.conv2d(x, w, strides, pad);
  const dy = tf.randomNormal(y.shape);
  const info = tf.backend_util.computeConv2DInfo(xShape, wShape, strides, 1, pad);
  const entry = {
    shape: label,
    forward: { chosen: forwardRoute({ ...info, outChannels: wShape[3] }, true) }, // new weights
    filterGradient: { chosen: filterRoute(info, true) }, // SIMD kernels run in Node
    inputGradient: { chosen: inputRoute(info, true) },
  };
  for (const forward of ['simd-gemm', 'xnnpack-conv', 'im2col-matmul']) {
    forceRoutes({ forward });
    entry.forward[forward] = time(
      'Conv2D',
      { x, filter: w },
      { strides, pad, dataFormat: 'NHWC', dilations: 1 },
    );
  }
  for (const filter of [
    'simd-gemm',
    'simd-tiled',
    'direct-simd',
    'dilated-conv',
    'im2col-matmul',
  ]) {
    forceRoutes({ filter });
    entry.filterGradient[filter] = time(
      'Conv2DBackpropFilter',
      { x, dy },
      { strides, pad, dataFormat: 'NHWC', filterShape: wShape },
    );
  }
  for (const input of ['simd-gemm', 'direct-simd', 'flipped-conv', 'matmul-col2im']) {
    forceRoutes({ input });
    entry.inputGradient[input] = time(
      'Conv2DBackpropInput',
      { dy, filter: w },
      { strides, pad, dataFormat: 'NHWC', inputShape: xShape },
    );
  }
  forceRoutes({});
  tf.dispose([x, w, y, dy]);
  results.push(entry);
}
console.log(
  JSON.stringify(
    {
      command: `node bench/routes.mjs --calls ${calls}`,
      note: 'median ms per call, fresh inputs',
      results,
    },
    null,
    2,
  ),
);
