import { L1 } from '@bregman/core-prox';
import { AdaBreg, LinBreg, rulesForModel } from '@bregman/optimizers';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomData, relativeError } from './backends.test-helper.js';
import { resnet } from './models.test-helper.js';
import { describeBackendChoice, useBestBackend } from './use-best-backend.js';
import {
  countSyncReads,
  on,
  readAll,
  setRandomWeights,
  webgpuUnavailable,
} from './webgpu.test-helper.js';
import {
  startWebgpuBackend,
  stopWebgpuBackend,
  type WebgpuAdapterChoice,
  type WebgpuStarted,
} from './webgpu-backend.js';
import { probeWebgpuAdapters } from './webgpu-probe.js';
import { WEBGPU_SYNC_READ_ERROR } from './webgpu-sync-read.js';

/**
 * Normwise relative error allowed between webgpu and cpu (`max |a − e| / max |e|`). Both
 * compute in float32 (unit roundoff 6e-8) but sum in different orders: the cpu backend
 * sequentially, the GPU in per-workgroup partial sums and tiled products. A sum of n terms
 * then differs by up to ~n·6e-8 relative to the sum of magnitudes, and cancellation in a
 * gradient (terms of both signs) enlarges that relative to the result; through a few layers
 * and BatchNorm (whose gradient subtracts means) the differences measured here stay below
 * 1e-5. 1e-4 leaves room for other GPUs while still catching a wrong kernel (an index or
 * padding error moves results by O(1)).
 */
const TOLERANCE = 1e-4;

const unavailable = await webgpuUnavailable('webgpu-backend.test.ts');

/** Inputs and one-hot labels built on the active backend (no tensor moves between backends). */
function batch(shape: number[], classes: number, seed: number) {
  const size = shape.reduce((a, b) => a * b, 1);
  const x = tf.tensor(randomData(size, seed), shape, 'float32');
  const ids = Array.from({ length: shape[0]! }, (_, i) => i % classes);
  const labels = tf.oneHot(tf.tensor1d(ids, 'int32'), classes);
  return { x, labels };
}

function lossOf(model: tf.LayersModel, x: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor);
}

/** Loss and gradients (in `trainableWeights` order) of a freshly built model on `backend`. */
async function gradients(
  backend: 'cpu' | 'webgpu',
  build: () => tf.LayersModel,
  xShape: number[],
  classes: number,
) {
  return on(backend, async () => {
    const model = build();
    setRandomWeights(model, 3);
    const { x, labels } = batch(xShape, classes, 7);
    const { value, grads } = tf.variableGrads(() => lossOf(model, x, labels));
    const ordered = model.trainableWeights.map((w) => grads[w.name]!);
    const result = { loss: (await value.data())[0]!, grads: await readAll(ordered) };
    tf.dispose([x, labels, value, ...Object.values(grads)]);
    model.dispose();
    return result;
  });
}

async function expectSameGradients(build: () => tf.LayersModel, xShape: number[], classes = 3) {
  const cpu = await gradients('cpu', build, xShape, classes);
  const gpu = await gradients('webgpu', build, xShape, classes);
  expect(Math.abs(gpu.loss - cpu.loss) / Math.abs(cpu.loss)).toBeLessThan(TOLERANCE);
  expect(gpu.grads).toHaveLength(cpu.grads.length);
  for (const [i, expected] of cpu.grads.entries()) {
    expect(relativeError(gpu.grads[i]!, expected), `gradient ${i}`).toBeLessThan(TOLERANCE);
  }
}

const dense = () =>
  tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [6], units: 5, activation: 'relu' }),
      tf.layers.dense({ units: 3 }),
    ],
  });

const convNet = () =>
  tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3 }),
    ],
  });

/** `steps` Bregman steps of `optimizer` on the conv net; the weights and the sync reads. */
async function bregmanSteps(
  backend: 'cpu' | 'webgpu',
  makeOptimizer: (model: tf.LayersModel) => tf.Optimizer,
  steps: number,
) {
  return on(backend, async () => {
    const model = convNet();
    setRandomWeights(model, 5);
    const optimizer = makeOptimizer(model);
    const { x, labels } = batch([4, 8, 8, 1], 3, 11);
    let syncReads = 0;
    for (let step = 0; step < steps; step++) {
      syncReads += await countSyncReads(async () => {
        const loss = optimizer.minimize(() => lossOf(model, x, labels), true);
        await loss?.data();
        loss?.dispose();
      });
    }
    const weights = await readAll(model.trainableWeights.map((w) => w.read()));
    optimizer.dispose();
    model.dispose();
    tf.dispose([x, labels]);
    return { weights, syncReads };
  });
}

/**
 * Transposes of int32 and bool tensors, built and read on the active backend: a conv kernel
 * `[5, 5, 8, 16]` with zero entries and dead `[5, 5]` slices, as the sparsity metrics of
 * `@bregman/metrics` count them (`tf.any` over the leading axes transposes them to the end).
 */
async function integerTransposes(): Promise<number[][]> {
  const values = randomData(5 * 5 * 8 * 16, 13).map((v, i) => (v > 0.3 && (i % 128) % 3 ? v : 0));
  const kernel = tf.tensor(values, [5, 5, 8, 16]);
  const nonZero = tf.notEqual(kernel, 0);
  const results = [
    tf.transpose(tf.cast(tf.mul(kernel, 10), 'int32'), [2, 3, 0, 1]),
    tf.cast(tf.transpose(nonZero, [3, 0, 1, 2]), 'int32'),
    tf.transpose(tf.cast(nonZero, 'float32'), [1, 2, 0, 3]),
    tf.cast(tf.any(nonZero, [0, 1]), 'int32'),
    tf.cast(tf.any(nonZero, [0, 1, 2]), 'int32'),
  ];
  const read = await Promise.all(results.map(async (t) => Array.from(await t.data())));
  tf.dispose([kernel, nonZero, ...results]);
  return read;
}

/**
 * `tf.addN` of 41 tensors `[64]` (the shader of one `AddN` binds every input, above the
 * device's `maxStorageBuffersPerShaderStage`) next to a matmul submitted with it, read on the
 * active backend: the sum, then the product's first row.
 */
async function longAddN(): Promise<number[]> {
  const terms = Array.from({ length: 41 }, (_, i) => tf.tensor(randomData(64, 20 + i), [64]));
  const a = tf.tensor(randomData(64 * 64, 19), [64, 64]);
  const sum = tf.addN(terms);
  const product = tf.matMul(a, a);
  const read = [...(await sum.data()), ...(await product.data()).subarray(0, 64)];
  tf.dispose([...terms, a, sum, product]);
  return read;
}

describe.skipIf(unavailable !== undefined)(
  'the webgpu backend (a GPU, else Mesa’s llvmpipe)',
  () => {
    let started: WebgpuStarted;

    beforeAll(async () => {
      const attempt = await startWebgpuBackend({ adapter: 'any' });
      expect(attempt.why).toBeUndefined();
      started = attempt.started!;
      await tf.setBackend('cpu');
    });

    afterAll(async () => {
      await stopWebgpuBackend();
      await tf.setBackend('cpu');
    });

    it('starts on the adapter the probe found, with navigator.gpu set', async () => {
      const probe = await probeWebgpuAdapters();
      expect(started.adapter).toBe(probe.hardware ?? probe.software);
      expect(started.version).toBe('4.22.0');
      expect(started.dawnVersion).toMatch(/^0\.6\./);
      expect((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu).toBeDefined();
      expect(tf.findBackend('webgpu')).toBeDefined();
    });

    it('BREGMAN_BACKEND=webgpu switches to it and says on which adapter', async () => {
      const choice = await useBestBackend({ env: { BREGMAN_BACKEND: 'webgpu' } });
      expect(tf.getBackend()).toBe('webgpu');
      expect(choice.device).toBe(`${started.adapter.kind} adapter ${started.adapter.name}`);
      expect(describeBackendChoice(choice)).toMatch(
        /^backend webgpu \(tfjs-backend-webgpu 4\.22\.0, (hardware|software) adapter .+\): requested by BREGMAN_BACKEND=webgpu$/,
      );
      await tf.setBackend('cpu');
    });

    it('a synchronous read of a GPU tensor is an error that says to read with await data()', async () => {
      await on('webgpu', async () => {
        // large enough to run on the GPU (tfjs computes tiny CPU-resident inputs on the CPU)
        const a = tf.fill([64, 64], 1);
        const b = tf.add(a, 1);
        expect(() => b.dataSync()).toThrow(WEBGPU_SYNC_READ_ERROR);
        expect((await b.data()).every((v) => v === 2)).toBe(true);
        expect(b.dataSync()[4095]).toBe(2); // read once: its values are cached on the CPU
        tf.dispose([a, b]);
      });
    });

    it('transposes int32 and bool tensors (tf.any over leading axes) as the cpu backend does (tfjs #8638)', async () => {
      const cpu = await on('cpu', integerTransposes);
      const gpu = await on('webgpu', integerTransposes);
      expect(cpu[3]!.filter((v) => v === 0)).toHaveLength(43); // the dead [5, 5] kernels
      expect(gpu).toEqual(cpu);
    });

    it('tf.addN of more tensors than the device binds per shader has the cpu sum (ℓ1 of a ResNet-18)', async () => {
      const cpu = await on('cpu', longAddN);
      const gpu = await on('webgpu', longAddN);
      expect(cpu.some((v) => v !== 0)).toBe(true);
      expect(relativeError(Float32Array.from(gpu), Float32Array.from(cpu))).toBeLessThan(TOLERANCE);
    });

    it('a dense layer’s training gradients equal the cpu backend’s', async () => {
      await expectSameGradients(dense, [8, 6]);
    });

    it('a small conv net’s (conv 3×3·4 on 8×8, max-pool, dense) gradients equal the cpu backend’s', async () => {
      await expectSameGradients(convNet, [4, 8, 8, 1]);
    });

    it('a ResNet (BatchNorm, stride-2 convs, 1×1 projections, global pooling) has the cpu gradients', async () => {
      await expectSameGradients(() => resnet([4, 8], 1, [8, 8, 3]), [4, 8, 8, 3], 10);
    });

    it('LinBreg and AdaBreg steps give the cpu backend’s weights, without a synchronous read', async () => {
      const makers = {
        linbreg: (model: tf.LayersModel) =>
          new LinBreg({
            learningRate: 0.1,
            momentum: 0.5,
            rules: rulesForModel(model, {
              dense: new L1({ lambda: 0.1 }),
              conv: new L1({ lambda: 0.1 }),
            }),
          }),
        adabreg: (model: tf.LayersModel) =>
          new AdaBreg({
            learningRate: 0.01,
            rules: rulesForModel(model, {
              dense: new L1({ lambda: 0.1 }),
              conv: new L1({ lambda: 0.1 }),
            }),
          }),
      };
      for (const [name, make] of Object.entries(makers)) {
        const cpu = await bregmanSteps('cpu', make, 3);
        const gpu = await bregmanSteps('webgpu', make, 3);
        expect(gpu.syncReads, `${name}: synchronous reads in 3 steps`).toBe(0);
        const zeros = cpu.weights.reduce((n, w) => n + w.filter((v) => v === 0).length, 0);
        expect(zeros, `${name}: the ℓ1 prox zeroes weights`).toBeGreaterThan(0);
        for (const [i, expected] of cpu.weights.entries()) {
          expect(relativeError(gpu.weights[i]!, expected), `${name} weight ${i}`).toBeLessThan(
            TOLERANCE,
          );
        }
      }
    });

    it('stopWebgpuBackend removes the backend and navigator.gpu; it starts again', async () => {
      await stopWebgpuBackend();
      expect(tf.findBackend('webgpu')).toBeNull();
      expect((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu).toBeUndefined();
      await tf.setBackend('cpu');
      const again = await startWebgpuBackend({ adapter: 'any' });
      expect(again.started?.adapter).toBe(started.adapter);
      expect(tf.getBackend()).toBe('webgpu');
      await tf.setBackend('cpu');
    });
  },
);

it('an unknown adapter choice is an error that lists the allowed ones', async () => {
  await expect(
    startWebgpuBackend({ adapter: 'gpu' as unknown as WebgpuAdapterChoice }),
  ).rejects.toThrow(
    "startWebgpuBackend: adapter must be one of hardware, any, software, got 'gpu'",
  );
});
