import { tensorReads } from '@bregman/test-utils';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { compact, compactAsync } from './compact.js';
import { expectSameFunction, kernelWith, setWeights, weightsOf } from './compact.test-helper.js';
import { convNet } from './conv-net.js';
import { Standardize } from './standardize.js';

describe('compact: Dense chains', () => {
  /**
   * 6 → 5 → 4 → 3, ReLU hidden, linear output.
   * dense_1: unit 1 dead with bias 0.4 (constant ReLU(0.4) = 0.4 feeds dense_2), unit 3 dead
   *          with bias −0.2 (constant 0), unit 4 unused (zero row in dense_2).
   * dense_2: unit 0 fed only by dense_1's dead unit 1 (constant by cascade), unit 2 unused.
   * dense_3: unit 1 dead (an output: stays).
   */
  function deadMlp() {
    const model = tf.sequential({
      layers: [
        new Standardize({ inputShape: [6], mean: 0.5, std: 2, name: 'standardize' }),
        tf.layers.dense({ units: 5, activation: 'relu', name: 'dense_1' }),
        tf.layers.dense({ units: 4, activation: 'relu', name: 'dense_2' }),
        tf.layers.dense({ units: 3, name: 'dense_3' }),
      ],
    });
    setWeights(model, 'dense_1', [
      kernelWith([6, 5], 1, (_f, o) => o === 1 || o === 3),
      tf.tensor1d([0.1, 0.4, 0.2, -0.2, 0.3]),
    ]);
    setWeights(model, 'dense_2', [
      kernelWith([5, 4], 2, (f, o) => (o === 0 && f !== 1) || f === 4),
      tf.tensor1d([0.05, 0.1, 0.2, -0.1]),
    ]);
    setWeights(model, 'dense_3', [
      kernelWith([4, 3], 3, (f, o) => o === 1 || f === 2),
      tf.tensor1d([0.3, -0.5, 0.1]),
    ]);
    return model;
  }

  it('computes the same function with exactly the dead and unused units removed', () => {
    const model = deadMlp();
    const before = model.getWeights().map((w) => Array.from(w.dataSync()));
    const { model: small, layers, before: costBefore, after } = compact(model);
    expect(layers).toEqual([
      {
        name: 'dense_1',
        className: 'Dense',
        unitsBefore: 5,
        unitsAfter: 2,
        removedConstant: 2,
        removedUnused: 1,
        keptConstant: 0,
      },
      {
        name: 'dense_2',
        className: 'Dense',
        unitsBefore: 4,
        unitsAfter: 2,
        removedConstant: 1,
        removedUnused: 1,
        keptConstant: 0,
      },
      {
        name: 'dense_3',
        className: 'Dense',
        unitsBefore: 3,
        unitsAfter: 3,
        removedConstant: 0,
        removedUnused: 0,
        keptConstant: 1,
      },
    ]);
    expectSameFunction(model, small, [32, 6]);
    // 6·5+5 + 5·4+4 + 4·3+3 = 74 → 6·2+2 + 2·2+2 + 2·3+3 = 29; FLOPs 2·(30+20+12) → 2·(12+4+6)
    expect(costBefore).toEqual({ params: 74, flops: 124 });
    expect(after).toEqual({ params: 29, flops: 44 });
    // the dead unit's ReLU(0.4) went into dense_2's bias: b2[o] + 0.4·W2[1, o] for kept o = 1, 3
    const [w2, b2] = weightsOf(model, 'dense_2') as [number[], number[]];
    const [, smallB2] = weightsOf(small, 'dense_2') as [number[], number[]];
    const expected = [1, 3].map((o) => b2[o]! + 0.4 * w2[1 * 4 + o]!);
    expect(smallB2[0]).toBeCloseTo(expected[0]!, 6);
    expect(smallB2[1]).toBeCloseTo(expected[1]!, 6);
    expect(Math.abs(expected[0]! - b2[1]!)).toBeGreaterThan(1e-3);
    // the original is untouched
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
    model.dispose();
    small.dispose();
  });

  it('leaves no tensors behind but the new model', () => {
    const model = deadMlp();
    const start = tf.memory().numTensors;
    const { model: small } = compact(model);
    small.dispose();
    expect(tf.memory().numTensors).toBe(start);
    model.dispose();
  });

  it('a net without dead units comes back the same size', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [4], units: 3, activation: 'tanh' }),
        tf.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    const { model: small, before, after } = compact(model);
    expect(after).toEqual(before);
    expectSameFunction(model, small, [8, 4]);
    model.dispose();
    small.dispose();
  });
});

describe('compact: conv nets', () => {
  /**
   * [10, 10, 2] → Standardize → conv 3×3·4 valid → maxpool 2 → ReLU → conv 3×3·5 valid → BN →
   * ReLU → flatten (2·2·5) → dropout → dense 6 ReLU → dense 3.
   * conv_1 channel 1 dead (bias 0.3: a constant map, after pool and ReLU still 0.3).
   * conv_2 channel 2 fed only by conv_1's channel 1: constant by cascade, through BN and
   * ReLU it flattens into 4 specific dense inputs. conv_2 channel 4 unused by dense_1.
   * dense_1 unit 3 dead.
   */
  function deadConvNet() {
    const model = tf.sequential({
      layers: [
        new Standardize({
          inputShape: [10, 10, 2],
          mean: [0.5, -0.2],
          std: [2, 0.5],
          name: 'standardize',
        }),
        tf.layers.conv2d({ filters: 4, kernelSize: 3, name: 'conv_1' }),
        tf.layers.maxPooling2d({ poolSize: 2, name: 'pool_1' }),
        tf.layers.activation({ activation: 'relu', name: 'relu_1' }),
        tf.layers.conv2d({ filters: 5, kernelSize: 3, name: 'conv_2' }),
        tf.layers.batchNormalization({ name: 'bn' }),
        tf.layers.reLU({ name: 'relu_2' }),
        tf.layers.flatten({ name: 'flatten' }),
        tf.layers.dropout({ rate: 0.5, name: 'dropout' }),
        tf.layers.dense({ units: 6, activation: 'relu', name: 'dense_1' }),
        tf.layers.dense({ units: 3, name: 'dense_2' }),
      ],
    });
    setWeights(model, 'conv_1', [
      kernelWith([3, 3, 2, 4], 1, (_f, o) => o === 1),
      tf.tensor1d([0.1, 0.3, -0.1, 0.2]),
    ]);
    setWeights(model, 'conv_2', [
      kernelWith([3, 3, 4, 5], 2, (f, o) => o === 2 && f !== 1),
      tf.tensor1d([0.1, -0.1, 0.05, 0.2, 0.1]),
    ]);
    setWeights(model, 'bn', [
      tf.tensor1d([1.5, 0.5, 2, 1, 0.8]),
      tf.tensor1d([0.1, -0.2, 0.3, 0, 0.1]),
      tf.tensor1d([0.2, 0.1, -0.1, 0.3, 0]),
      tf.tensor1d([1.2, 0.7, 0.5, 2, 1]),
    ]);
    setWeights(model, 'dense_1', [
      kernelWith([20, 6], 3, (f, o) => f % 5 === 4 || o === 3),
      tf.tensor1d([0.1, 0.2, 0.3, 0.4, 0.1, 0.2]),
    ]);
    setWeights(model, 'dense_2', [kernelWith([6, 3], 4, () => false), tf.tensor1d([0, 0.1, 0.2])]);
    return model;
  }

  it('removes a dead conv channel, a cascaded constant channel, an unused channel and a dead neuron', () => {
    const model = deadConvNet();
    const { model: small, layers, before, after } = compact(model);
    expect(
      layers.map((l) => [l.name, l.unitsAfter, l.removedConstant, l.removedUnused, l.keptConstant]),
    ).toEqual([
      ['conv_1', 3, 1, 0, 0],
      ['conv_2', 3, 1, 1, 0],
      ['dense_1', 5, 1, 0, 0],
      ['dense_2', 3, 0, 0, 0],
    ]);
    expect(small.getLayer('flatten').outputShape).toEqual([null, 12]);
    expectSameFunction(model, small, [16, 10, 10, 2]);
    // conv_1: 3·3·2·3 + 3, conv_2: 3·3·3·3 + 3, BN 4·3, dense_1: 12·5 + 5, dense_2: 5·3 + 3
    expect(after.params).toBe(57 + 84 + 12 + 65 + 18);
    expect(before.params).toBe(76 + 185 + 20 + 126 + 21);
    // FLOPs: conv_1 2·18·4·64 → 2·18·3·64, conv_2 2·36·5·4 → 2·27·3·4, dense 2·120 → 2·60, 2·18 → 2·15
    expect(before.flops).toBe(2 * (18 * 4 * 64 + 36 * 5 * 4 + 120 + 18));
    expect(after.flops).toBe(2 * (18 * 3 * 64 + 27 * 3 * 4 + 60 + 15));
    model.dispose();
    small.dispose();
  });

  it('compactAsync builds the same model and report as compact, without a synchronous read', async () => {
    const model = deadConvNet();
    const sync = compact(model);
    const start = tf.memory().numTensors;
    const { result: viaAsync, reads } = await tensorReads(() => compactAsync(model));
    expect(reads.dataSync).toBe(0);
    expect(viaAsync.layers).toEqual(sync.layers);
    expect(viaAsync.before).toEqual(sync.before);
    expect(viaAsync.after).toEqual(sync.after);
    for (const layer of sync.model.layers) {
      expect(weightsOf(viaAsync.model, layer.name), layer.name).toEqual(
        weightsOf(sync.model, layer.name),
      );
    }
    viaAsync.model.dispose();
    expect(tf.memory().numTensors).toBe(start);
    model.dispose();
    sync.model.dispose();
  });

  it("keeps a constant channel that a 'same' conv reads (its border sees the padding) and drops one that is 0", () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [6, 6, 2],
          filters: 3,
          kernelSize: 3,
          padding: 'same',
          activation: 'relu',
          name: 'conv_1',
        }),
        tf.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', name: 'conv_2' }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2, name: 'dense' }),
      ],
    });
    setWeights(model, 'conv_1', [
      kernelWith([3, 3, 2, 3], 5, (_f, o) => o < 2),
      tf.tensor1d([0.5, -1, 0.2]),
    ]);
    setWeights(model, 'conv_2', [
      kernelWith([3, 3, 3, 2], 6, () => false),
      tf.tensor1d([0.1, 0.2]),
    ]);
    const { model: small, layers } = compact(model);
    expect(layers[0]).toMatchObject({ unitsAfter: 2, removedConstant: 1, keptConstant: 1 });
    expectSameFunction(model, small, [4, 6, 6, 2]);
    model.dispose();
    small.dispose();
  });

  it('folds a constant map through average pooling with same padding and global pooling', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [7, 7, 1],
          filters: 3,
          kernelSize: 2,
          activation: 'elu',
          name: 'conv',
        }),
        tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
        tf.layers.conv2d({ filters: 2, kernelSize: 1, activation: 'tanh', name: 'conv_1x1' }),
        tf.layers.globalAveragePooling2d({}),
        tf.layers.dense({ units: 2, name: 'dense' }),
      ],
    });
    setWeights(model, 'conv', [
      kernelWith([2, 2, 1, 3], 7, (_f, o) => o === 0),
      tf.tensor1d([0.7, 0, 0.1]),
    ]);
    setWeights(model, 'conv_1x1', [
      kernelWith([1, 1, 3, 2], 8, (_f, o) => o === 1),
      tf.tensor1d([0.2, -0.4]),
    ]);
    const { model: small, layers } = compact(model);
    expect(layers.map((l) => l.unitsAfter)).toEqual([2, 1, 2]);
    expectSameFunction(model, small, [3, 7, 7, 1]);
    model.dispose();
    small.dispose();
  });
});

describe('compact: Conv1D', () => {
  it.each([
    ['valid', 2, 0],
    ['same', 3, 1],
  ] as const)(
    "a dead channel's constant folds into a '%s' Conv1D (units after: %i, constants kept: %i)",
    (padding, unitsAfter, keptConstant) => {
      const model = tf.sequential({
        layers: [
          tf.layers.conv1d({
            inputShape: [10, 2],
            filters: 4,
            kernelSize: 3,
            activation: 'relu',
            name: 'c1',
          }),
          tf.layers.maxPooling1d({ poolSize: 2 }),
          tf.layers.conv1d({ filters: 3, kernelSize: 2, padding, name: 'c2' }),
          tf.layers.globalAveragePooling1d({}),
          tf.layers.dense({ units: 2, name: 'dense' }),
        ],
      });
      // c1: channel 1 dead with constant ReLU(0.5) = 0.5, channel 3 dead at 0
      setWeights(model, 'c1', [
        kernelWith([3, 2, 4], 11, (_f, o) => o === 1 || o === 3),
        tf.tensor1d([0.3, 0.5, -0.2, 0]),
      ]);
      // c2: channel 2 dead, a constant 0.1 through the global pooling into the Dense bias
      setWeights(model, 'c2', [
        kernelWith([2, 4, 3], 12, (_f, o) => o === 2),
        tf.tensor1d([0.2, -0.1, 0.1]),
      ]);
      const { model: small, layers } = compact(model);
      expect(layers.map((l) => l.className)).toEqual(['Conv1D', 'Conv1D', 'Dense']);
      expect(layers[0]).toMatchObject({ unitsBefore: 4, unitsAfter, keptConstant });
      expect(layers[1]).toMatchObject({ unitsBefore: 3, unitsAfter: 2, removedConstant: 1 });
      expectSameFunction(model, small, [3, 10, 2]);
      model.dispose();
      small.dispose();
    },
  );
});

describe('compact: a branch that meets in an Add', () => {
  it('compacts a functional model with a residual Add (not a chain) to the same function', () => {
    // dense 'a' has a dead unit, but the Add links its units to the model's input features,
    // which all stay; 'hidden' has a dead unit with ReLU(−0.3) = 0 that 'out' folds
    const input = tf.input({ shape: [4] });
    const a = tf.layers.dense({ units: 4, name: 'a' }).apply(input) as tf.SymbolicTensor;
    const b = tf.layers.add({ name: 'add' }).apply([a, input]) as tf.SymbolicTensor;
    const h = tf.layers
      .dense({ units: 3, activation: 'relu', name: 'hidden' })
      .apply(b) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 2, name: 'out' }).apply(h) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    setWeights(model, 'a', [kernelWith([4, 4], 1, (_f, o) => o === 2), tf.zeros([4])]);
    setWeights(model, 'hidden', [
      kernelWith([4, 3], 2, (_f, o) => o === 1),
      tf.tensor1d([0.1, -0.3, 0.2]),
    ]);
    const { model: small, layers } = compact(model);
    expect(layers.map((l) => [l.name, l.unitsAfter, l.removedConstant, l.keptConstant])).toEqual([
      ['a', 4, 0, 1],
      ['hidden', 2, 1, 0],
      ['out', 2, 0, 0],
    ]);
    expect(small.getLayer('add')).toBeDefined();
    expectSameFunction(model, small, [16, 4]);
    model.dispose();
    small.dispose();
  });
});

describe('compact: what it cannot do exactly is an error', () => {
  it.each<[string, () => tf.LayersModel, RegExp]>([
    [
      'a branch that meets in a Concatenate',
      () => {
        const input = tf.input({ shape: [4] });
        const a = tf.layers.dense({ units: 4, name: 'a' }).apply(input) as tf.SymbolicTensor;
        const b = tf.layers.concatenate({ name: 'cat' }).apply([a, input]) as tf.SymbolicTensor;
        const out = tf.layers.dense({ units: 2 }).apply(b) as tf.SymbolicTensor;
        return tf.model({ inputs: input, outputs: out });
      },
      /cannot compact through Concatenate 'cat' in a model with branches; supported there: Dense, Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D, Add \(the only merge\)/,
    ],
    [
      'a hidden softmax',
      () =>
        tf.sequential({
          layers: [
            tf.layers.dense({ inputShape: [4], units: 3, activation: 'softmax', name: 'soft' }),
            tf.layers.dense({ units: 2 }),
          ],
        }),
      /hidden layer 'soft' uses softmax/,
    ],
    [
      'an unknown layer between',
      () =>
        tf.sequential({
          layers: [
            tf.layers.dense({ inputShape: [4], units: 4, name: 'd1' }),
            tf.layers.reshape({ targetShape: [2, 2], name: 'reshape' }),
            tf.layers.flatten(),
            tf.layers.dense({ units: 2, name: 'd2' }),
          ],
        }),
      /cannot see through Reshape 'reshape' between 'd1' and 'd2'; supported there: Flatten/,
    ],
    [
      'BatchNorm after a Flatten',
      () =>
        tf.sequential({
          layers: [
            tf.layers.conv2d({ inputShape: [4, 4, 1], filters: 2, kernelSize: 3, name: 'c' }),
            tf.layers.flatten(),
            tf.layers.batchNormalization({ name: 'bn' }),
            tf.layers.dense({ units: 2, name: 'd' }),
          ],
        }),
      /BatchNormalization 'bn' between 'c' and 'd' acts per feature after a Flatten/,
    ],
    [
      'no weighted layer',
      () => tf.sequential({ layers: [tf.layers.flatten({ inputShape: [2, 2] })] }),
      /has no layer to compact \(Dense, Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D\)/,
    ],
    [
      'a nested model',
      () =>
        tf.sequential({
          layers: [
            tf.sequential({
              layers: [tf.layers.dense({ inputShape: [3], units: 2 })],
              name: 'inner',
            }),
            tf.layers.dense({ units: 2 }),
          ],
        }),
      /layer 'inner' is a nested model/,
    ],
  ])('%s', async (_name, build, message) => {
    const model = build();
    expect(() => compact(model)).toThrow(message);
    await expect(compactAsync(model)).rejects.toThrow(message);
    model.dispose();
  });

  it('rejects what is not a model', () => {
    expect(() => compact({} as never)).toThrow(/model must be a tf.LayersModel/);
  });
});

describe('compact: the paper ConvNet at full size', () => {
  it('a neuron-sparse init (dead filters and neurons) compacts to the same function', () => {
    const model = convNet({
      init: { density: 0.2, groups: { conv: 'neuron', dense: 'neuron' }, seed: 5 },
    });
    const { model: small, layers, before, after } = compact(model);
    const alive = (name: string) =>
      tf.tidy(
        () =>
          tf
            .sum(
              tf.notEqual(
                tf.max(
                  tf.abs(model.getLayer(name).getWeights()[0]!),
                  [0, 1, 2].slice(0, model.getLayer(name).getWeights()[0]!.rank - 1),
                ),
                0,
              ),
            )
            .dataSync()[0]!,
      );
    // conv_1 keeps exactly its living filters; dense_2 (the output) keeps all 10 units
    expect(layers[0]!.unitsAfter).toBe(alive('conv_1'));
    expect(layers[3]!.unitsAfter).toBe(10);
    expect(after.params).toBeLessThan(before.params);
    expect(small.countParams()).toBe(after.params);
    expectSameFunction(model, small, [2, 28, 28, 1]);
    model.dispose();
    small.dispose();
  });
});
