import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadWasm, on, randomData, relativeError, wasmDataIds } from './backends.test-helper.js';
import { convNet, lossOf, resnet, weightGradients } from './models.test-helper.js';

beforeAll(loadWasm);

function batch(n: number, shape: number[], seed: number) {
  const x = tf.tensor(randomData(n * shape.reduce((a, b) => a * b, 1), seed), [n, ...shape]);
  const labels = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: n }, (_, i) => (i * 7 + seed) % 10),
      'int32',
    ),
    10,
  );
  return { x, labels };
}

/** Whole-model weight gradients on cpu and on wasm (same weights, same batch). */
async function gradientsOnBoth(model: tf.LayersModel, x: tf.Tensor, labels: tf.Tensor) {
  const cpu = await on('cpu', () => weightGradients(model, x, labels));
  const wasm = await on('wasm', () => weightGradients(model, x, labels));
  return { cpu, wasm };
}

describe('training on wasm with the registered kernels', () => {
  it('ConvNet (8 filters) weight gradients equal the cpu backend’s (1e-4 relative, per variable)', async () => {
    const model = await on('cpu', () => convNet(8, 3));
    const { x, labels } = await on('cpu', () => batch(4, [28, 28, 1], 5));
    const { cpu, wasm } = await gradientsOnBoth(model, x, labels);
    expect(Object.keys(wasm.grads)).toEqual(Object.keys(cpu.grads));
    expect(Object.keys(cpu.grads)).toHaveLength(8);
    for (const name of Object.keys(cpu.grads)) {
      expect(relativeError(wasm.grads[name]!, cpu.grads[name]!), name).toBeLessThan(1e-4);
    }
    expect(Math.abs(wasm.loss - cpu.loss)).toBeLessThan(1e-5 * Math.abs(cpu.loss));
    tf.dispose([x, labels]);
    model.dispose();
  });

  it('ResNet block stack (BatchNorm, stride-2 3×3, 1×1 projection) gradients equal the cpu backend’s', async () => {
    const model = await on('cpu', () => resnet([8, 16], 2, [8, 8, 3], 7));
    const { x, labels } = await on('cpu', () => batch(3, [8, 8, 3], 9));
    const { cpu, wasm } = await gradientsOnBoth(model, x, labels);
    expect(Object.keys(cpu.grads).length).toBeGreaterThan(20);
    for (const name of Object.keys(cpu.grads)) {
      expect(relativeError(wasm.grads[name]!, cpu.grads[name]!), name).toBeLessThan(1e-4);
    }
    tf.dispose([x, labels]);
    model.dispose();
  });

  it('the full-size ConvNet (64 filters) trains: loss falls on a fixed batch, memory stays flat', async () => {
    await on('wasm', () => {
      const model = convNet(64, 11);
      const { x, labels } = batch(16, [28, 28, 1], 13);
      const optimizer = tf.train.adam(2e-3);
      const losses: number[] = [];
      let tensors = 0;
      let ids = 0;
      for (let step = 1; step <= 12; step++) {
        const loss = optimizer.minimize(() => lossOf(model, x, labels), true)!;
        losses.push(loss.dataSync()[0]!);
        loss.dispose();
        if (step === 3) [tensors, ids] = [tf.memory().numTensors, wasmDataIds()];
      }
      expect(tf.memory().numTensors).toBe(tensors);
      expect(wasmDataIds()).toBe(ids);
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses.at(-1)!).toBeLessThan(0.5 * losses[0]!);
      tf.dispose([x, labels]);
      optimizer.dispose();
      model.dispose();
    });
  });

  // The full ResNet-18 (all four stages, 11M weights) on 16×16 inputs instead of CIFAR's
  // 32×32: every layer, stride and projection is the same (16 → 8 → 4 → 2 through the
  // stages, so every tap of every 3×3 kernel still sees data), at 1/4 of the convolution
  // work, so that the test does not depend on machine speed.
  it('a full ResNet-18 completes SGD steps at batch 2 (16×16 inputs)', async () => {
    await on('wasm', () => {
      const model = resnet([64, 128, 256, 512], 2, [16, 16, 3], 17);
      expect(model.countParams()).toBeGreaterThan(11_000_000);
      const convs = model.layers.filter((l) => l.getClassName() === 'Conv2D');
      expect(convs).toHaveLength(20); // stem + 16 block convs + 3 projections
      const { x, labels } = batch(2, [16, 16, 3], 19);
      const optimizer = tf.train.sgd(0.01);
      // the first and the last convolution: the gradient reaches both ends of the net
      const ends = [convs[0]!, convs.at(-1)!];
      const before = ends.map((l) => l.getWeights()[0]!.dataSync().slice());
      const losses: number[] = [];
      for (let step = 0; step < 2; step++) {
        const loss = optimizer.minimize(() => lossOf(model, x, labels), true)!;
        losses.push(loss.dataSync()[0]!);
        loss.dispose();
      }
      expect(losses.every(Number.isFinite)).toBe(true);
      ends.forEach((layer, i) => {
        // every tap [kh, kw] of the kernel moved, the corner ones included
        const after = layer.getWeights()[0]!.dataSync();
        const [kh, kw, cin, cout] = layer.getWeights()[0]!.shape as number[];
        const slice = cin! * cout!;
        for (let tap = 0; tap < kh! * kw!; tap++) {
          const moved = after
            .subarray(tap * slice, (tap + 1) * slice)
            .some((w, j) => w !== before[i]![tap * slice + j]);
          expect(moved, `${layer.name} tap ${tap}`).toBe(true);
        }
      });
      tf.dispose([x, labels]);
      optimizer.dispose();
      model.dispose();
    });
  });
});
