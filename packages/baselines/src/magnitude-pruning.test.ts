import { teacherData } from '@bregman/test-utils/layers';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { accuracy, denseNet, nonZero } from './fit-model.test-helper.js';
import { MagnitudePruning } from './magnitude-pruning.js';

const kernels = (model: tf.LayersModel) =>
  model.trainableWeights
    .filter((w) => w.originalName.endsWith('/kernel'))
    .map((w) => w.read() as tf.Variable);

/** Sum of |θ| where the mask says "pruned": must stay exactly 0. */
const leaked = (pruning: MagnitudePruning, model: tf.LayersModel) =>
  kernels(model).reduce((sum, k) => {
    const mask = pruning.maskOf(k.name);
    if (!mask) return sum;
    return sum + tf.tidy(() => tf.sum(tf.abs(tf.mul(k, tf.sub(1, mask)))).dataSync()[0]!);
  }, 0);

/** A callback placed after the pruning callback: records the leak after every batch. */
const observer = (pruning: MagnitudePruning, model: tf.LayersModel, leaks: number[]) =>
  new tf.CustomCallback({ onBatchEnd: async () => void leaks.push(leaked(pruning, model)) });

describe('MagnitudePruning schedule', () => {
  it('prunes at startEpoch + k·frequency and at endEpoch, along d_f + (1 − d_f)(1 − p)^power', () => {
    const cubic = new MagnitudePruning({
      targetDensity: 0.1,
      startEpoch: 1,
      endEpoch: 4,
      frequency: 2,
    });
    const linear = new MagnitudePruning({
      targetDensity: 0.1,
      startEpoch: 1,
      endEpoch: 4,
      frequency: 2,
      power: 1,
    });
    expect([0, 1, 2, 3, 4, 5].map((e) => cubic.densityAt(e))).toEqual([
      null,
      0.1 + 0.9 * 0.75 ** 3,
      null,
      0.1 + 0.9 * 0.25 ** 3,
      0.1,
      null,
    ]);
    expect(linear.densityAt(1)).toBeCloseTo(0.775, 12);
    expect(linear.densityAt(3)).toBeCloseTo(0.325, 12);
    expect(linear.densityAt(4)).toBe(0.1);
    const oneShot = new MagnitudePruning({ targetDensity: 0.3, startEpoch: 2, endEpoch: 2 });
    expect([1, 2, 3].map((e) => oneShot.densityAt(e))).toEqual([null, 0.3, null]);
  });
});

describe('MagnitudePruning with model.fit and Adam', () => {
  it('reaches the target density exactly, per layer; pruned weights stay exactly 0 through retraining', async () => {
    const { x, y } = teacherData(5, 256);
    const model = denseNet(13); // kernels [20, 32] (640 entries) and [32, 4] (128)
    model.compile({
      optimizer: tf.train.adam(0.01),
      loss: 'categoricalCrossentropy',
      metrics: ['accuracy'],
    });
    const pruning = new MagnitudePruning({ targetDensity: 0.125, startEpoch: 1, endEpoch: 4 });
    const leaks: number[] = [];
    const zerosAfterEpoch: Array<Set<number>[]> = [];
    const record = new tf.CustomCallback({
      onEpochEnd: async () =>
        void zerosAfterEpoch.push(
          kernels(model).map(
            (k) => new Set(Array.from(k.dataSync()).flatMap((v, i) => (v === 0 ? [i] : []))),
          ),
        ),
    });
    await model.fit(x, y, {
      epochs: 8,
      batchSize: 32,
      shuffle: false,
      verbose: 0,
      callbacks: [pruning, observer(pruning, model, leaks), record],
    });
    expect(pruning.done).toBe(true);
    // pruned at the end of epochs 1..4, each layer to max(1, round(d·n)) entries
    expect(pruning.history.map((r) => r.epoch)).toEqual([1, 2, 3, 4]);
    for (const r of pruning.history) {
      expect(r.density).toBe(pruning.densityAt(r.epoch!));
      expect(r.layers.map((l) => l.kept)).toEqual(
        [640, 128].map((n) => Math.max(1, Math.round(r.density * n))),
      );
    }
    const densities = pruning.history.map((r) => r.density);
    expect(densities).toEqual([...densities].sort((a, b) => b - a));
    // exactly the target at the end: 80 of 640 and 16 of 128
    expect(kernels(model).map(nonZero)).toEqual([80, 16]);
    expect(pruning.history.at(-1)!).toMatchObject({ density: 0.125, keptWeights: 96, size: 768 });
    // masks only shrink: once zero after a pruning step, zero ever after
    for (let e = 2; e < zerosAfterEpoch.length; e++) {
      zerosAfterEpoch[e - 1]!.forEach((zeros, layer) => {
        for (const i of zeros) expect(zerosAfterEpoch[e]![layer]!.has(i)).toBe(true);
      });
    }
    // after every optimizer step since the first pruning, the pruned weights were exactly 0
    expect(leaks.length).toBe(8 * 8);
    expect(leaks.every((l) => l === 0)).toBe(true);

    // more training with the same callback (Adam's moments still push the pruned weights)
    const before = kernels(model).map((k) => Array.from(k.dataSync()));
    const more = await model.fit(x, y, {
      epochs: 3,
      batchSize: 32,
      shuffle: false,
      verbose: 0,
      callbacks: [pruning, observer(pruning, model, leaks)],
    });
    expect(leaks.every((l) => l === 0)).toBe(true);
    expect(kernels(model).map(nonZero)).toEqual([80, 16]);
    const after = kernels(model).map((k) => Array.from(k.dataSync()));
    expect(after.some((k, l) => k.some((v, i) => v !== before[l]![i]))).toBe(true); // it did train
    // 12.5 % of the weights still classify (measured 0.863; chance is 0.25)
    expect(accuracy(model, x, y)).toBeGreaterThan(0.8);
    expect((more.history.acc as number[]).at(-1)!).toBeGreaterThan(0.8);

    // without the callback, Adam moves them off zero at once: the re-applied masks are what keep them
    await model.fit(x, y, { epochs: 1, batchSize: 32, shuffle: false, verbose: 0 });
    expect(leaked(pruning, model)).toBeGreaterThan(0);
    pruning.dispose();
    model.dispose();
    tf.dispose([x, y]);
  });

  it('groups: whole conv kernels and whole neurons, exactly the target count of each', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({
          filters: 8,
          kernelSize: 2,
          inputShape: [4, 4, 2],
          activation: 'relu',
          kernelInitializer: tf.initializers.heNormal({ seed: 1 }),
        }),
        tf.layers.flatten(),
        tf.layers.dense({
          units: 6,
          activation: 'relu',
          kernelInitializer: tf.initializers.heNormal({ seed: 2 }),
        }),
        tf.layers.dense({
          units: 3,
          activation: 'softmax',
          kernelInitializer: tf.initializers.heNormal({ seed: 3 }),
        }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    const x = tf.randomNormal([64, 4, 4, 2], 0, 1, 'float32', 4);
    const y = tf.oneHot(tf.randomUniform([64], 0, 3, 'int32', 5), 3);
    const pruning = new MagnitudePruning({ targetDensity: 0.25, endEpoch: 1, groups: true });
    const leaks: number[] = [];
    await model.fit(x, y, {
      epochs: 4,
      batchSize: 16,
      shuffle: false,
      verbose: 0,
      callbacks: [pruning, observer(pruning, model, leaks)],
    });
    const [conv, hidden, out] = kernels(model) as [tf.Variable, tf.Variable, tf.Variable];
    // conv [2, 2, 2, 8]: 16 kernels → 4 kept; dense [72, 6]: 6 neurons → 2 (round(1.5)); [6, 3]: 3 → 1
    const liveKernels = tf.tidy(() => nonZero(tf.sum(tf.abs(conv), [0, 1])));
    const liveNeurons = (k: tf.Tensor) => tf.tidy(() => nonZero(tf.sum(tf.abs(k), 0)));
    expect([liveKernels, liveNeurons(hidden), liveNeurons(out)]).toEqual([4, 2, 1]);
    expect(pruning.history.at(-1)!.layers.map((l) => [l.unit, l.kept, l.units])).toEqual([
      ['kernels', 4, 16],
      ['neurons', 2, 6],
      ['neurons', 1, 3],
    ]);
    // a live group keeps all its entries (nothing else zeroed inside it)
    expect(nonZero(conv)).toBe(4 * 4);
    expect(leaks.every((l) => l === 0)).toBe(true);
    pruning.dispose();
    model.dispose();
    tf.dispose([x, y]);
  });

  it('memory stays flat across pruning steps and retraining; dispose frees the masks', async () => {
    const { x, y } = teacherData(6, 64);
    const model = denseNet(17);
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    const pruning = new MagnitudePruning({ targetDensity: 0.2, startEpoch: 0, endEpoch: 3 });
    const counts: number[] = [];
    const count = new tf.CustomCallback({
      onEpochEnd: async () => void counts.push(tf.memory().numTensors),
    });
    await model.fit(x, y, { epochs: 6, batchSize: 16, verbose: 0, callbacks: [pruning, count] });
    // one mask per kernel from the first pruning step on, replaced (not added) at each step
    expect(new Set(counts).size).toBe(1);
    const before = tf.memory().numTensors;
    pruning.dispose();
    expect(tf.memory().numTensors).toBe(before - 2);
    model.dispose();
    tf.dispose([x, y]);
  });
});

describe('bad input is an error naming the argument', () => {
  it.each([
    [
      { targetDensity: 0, endEpoch: 3 },
      /MagnitudePruning: targetDensity must be a number in \(0, 1\], got 0/,
    ],
    [{ targetDensity: 1.5, endEpoch: 3 }, /targetDensity must be a number in \(0, 1\], got 1.5/],
    [
      { targetDensity: Number.NaN, endEpoch: 3 },
      /targetDensity must be a number in \(0, 1\], got NaN/,
    ],
    [
      { targetDensity: 0.1, startEpoch: 4, endEpoch: 2 },
      /startEpoch \(4\) must be ≤ endEpoch \(2\)/,
    ],
    [
      { targetDensity: 0.1, startEpoch: -1, endEpoch: 2 },
      /startEpoch must be an integer ≥ 0, got -1/,
    ],
    [{ targetDensity: 0.1 } as never, /endEpoch must be an integer ≥ 0, got undefined/],
    [{ targetDensity: 0.1, endEpoch: 2, frequency: 0 }, /frequency must be an integer ≥ 1, got 0/],
    [{ targetDensity: 0.1, endEpoch: 2, power: 0 }, /power must be a finite number > 0, got 0/],
  ])('%#', (options, message) => {
    expect(() => new MagnitudePruning(options)).toThrow(message);
  });

  it('a schedule that ends after training is refused when fit starts', async () => {
    const { x, y } = teacherData(1, 32);
    const model = denseNet(2);
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    const pruning = new MagnitudePruning({ targetDensity: 0.5, endEpoch: 5 });
    await expect(model.fit(x, y, { epochs: 5, verbose: 0, callbacks: [pruning] })).rejects.toThrow(
      /MagnitudePruning: endEpoch \(5\) must be < the epochs of model.fit \(5\)/,
    );
    await expect(
      model.fit(x, y, { epochs: 10, initialEpoch: 6, verbose: 0, callbacks: [pruning] }),
    ).rejects.toThrow(/ends at epoch 5, before model.fit's initialEpoch \(6\)/);
    // the model is still usable
    await model.fit(x, y, { epochs: 6, verbose: 0, callbacks: [pruning] });
    expect(kernels(model).map(nonZero)).toEqual([320, 64]);
    expect(() => new MagnitudePruning({ targetDensity: 0.5, endEpoch: 0 }).prune(0.5)).toThrow(
      /not attached to a model/,
    );
    expect(() => pruning.prune(0)).toThrow(
      /MagnitudePruning.prune: density must be a number in \(0, 1\]/,
    );
    expect(() => pruning.prune(0.6)).toThrow(
      /MagnitudePruning.prune: density \(0.6\) must be ≤ the density already pruned to \(0.5\): pruned weights never return/,
    );
    pruning.dispose();
    model.dispose();
    tf.dispose([x, y]);
  });
});
