import { tensorReads } from '@bregman/test-utils';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { compact, compactAsync } from './compact.js';
import { expectSameFunction, kernelWith, setWeights } from './compact.test-helper.js';
import { resnet18 } from './resnet18.js';

type Sym = tf.SymbolicTensor;

const conv = (x: Sym, name: string, filters: number, kernelSize: number, strides = 1) =>
  tf.layers
    .conv2d({
      filters,
      kernelSize,
      strides,
      padding: strides > 1 && kernelSize > 1 ? 'valid' : 'same',
      useBias: false,
      name,
    })
    .apply(x) as Sym;
const bn = (x: Sym, name: string) =>
  tf.layers.batchNormalization({ epsilon: 1e-5, name }).apply(x) as Sym;
const relu = (x: Sym, name: string) =>
  tf.layers.activation({ activation: 'relu', name }).apply(x) as Sym;

/** BatchNorm [γ, β, moving mean, moving variance] with β as given (the constant of a dead channel). */
function setBn(model: tf.LayersModel, name: string, beta: number[], seed: number): void {
  const n = beta.length;
  setWeights(model, name, [
    tf.randomUniform([n], 0.5, 1.5, 'float32', seed),
    tf.tensor1d(beta),
    tf.zeros([n]),
    tf.randomUniform([n], 0.5, 1.5, 'float32', seed + 1),
  ]);
}

/** Per Dense / Conv2D: [name, units after, removed constant, removed unused, kept constant]. */
const summary = (layers: ReturnType<typeof compact>['layers']) =>
  layers.map((l) => [l.name, l.unitsAfter, l.removedConstant, l.removedUnused, l.keptConstant]);

describe('compact: residual models', () => {
  /**
   * [6, 6, 3] → c0 3×3·4 → bn0 → r0 → c1 3×3·4 → bn1 → r1 → c2 3×3·4 → bn2 → add(·, shortcut)
   * → r2 → pool → fc 3; all convs 'same' without bias; shortcut: r0, or cs 1×1·4 → bns.
   *
   * c0 channel 0 dead, bn0 β −0.5: ReLU makes it 0 (c1 and cs fold it) → goes.
   * c0 channel 2 dead, bn0 β 0.4: a constant 0.4 that the 'same' 3×3 c1 reads → stays.
   * c2 channels 0, 1, 2 dead (bn2 β 0.3: constants); cs channel 0 dead too.
   * Identity: the add's channel 0 is dead on both paths (0 + 0.3, folded into fc) → goes;
   * channel 1 is live on the shortcut → stays; channel 2 is r0's 0.4 → stays (c1 reads it).
   * Projection: the add's channel 0 is constant on both paths → goes; channels 1, 2 live on
   * the shortcut → stay.
   * c1 channel 0 dead, bn1 β −1 (ReLU: 0, folded by c2) → goes; c1 channel 1: c2 reads it
   * with zeros only → goes.
   */
  function residual(projection: boolean) {
    const input = tf.input({ shape: [6, 6, 3], name: 'input' });
    const x = relu(bn(conv(input, 'c0', 4, 3), 'bn0'), 'r0');
    const y = relu(bn(conv(x, 'c1', 4, 3), 'bn1'), 'r1');
    const z = bn(conv(y, 'c2', 4, 3), 'bn2');
    const shortcut = projection ? bn(conv(x, 'cs', 4, 1), 'bns') : x;
    const sum = relu(tf.layers.add({ name: 'add' }).apply([z, shortcut]) as Sym, 'r2');
    const pooled = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(sum) as Sym;
    const out = tf.layers.dense({ units: 3, name: 'fc' }).apply(pooled) as Sym;
    const model = tf.model({ inputs: input, outputs: out, name: 'residual' });
    setWeights(model, 'c0', [kernelWith([3, 3, 3, 4], 1, (_f, o) => o === 0 || o === 2)]);
    setBn(model, 'bn0', [-0.5, 0.1, 0.4, 0.2], 10);
    setWeights(model, 'c1', [kernelWith([3, 3, 4, 4], 2, (_f, o) => o === 0)]);
    setBn(model, 'bn1', [-1, 0.1, 0.2, 0.3], 20);
    setWeights(model, 'c2', [kernelWith([3, 3, 4, 4], 3, (f, o) => o < 3 || f === 1)]);
    setBn(model, 'bn2', [0.3, 0.3, 0.3, 0.1], 30);
    if (projection) {
      setWeights(model, 'cs', [kernelWith([1, 1, 4, 4], 4, (_f, o) => o === 0)]);
      setBn(model, 'bns', [0.2, 0.1, -0.1, 0], 40);
    }
    return model;
  }

  it('identity shortcut: a channel goes only where both paths agree', () => {
    const model = residual(false);
    const start = tf.memory().numTensors;
    const { model: small, layers, before, after } = compact(model);
    expect(summary(layers)).toEqual([
      ['c0', 3, 1, 0, 1],
      ['c1', 2, 1, 1, 0],
      ['c2', 3, 1, 0, 2],
      ['fc', 3, 0, 0, 0],
    ]);
    expect(small.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
    expect(small.getLayer('add').outputShape).toEqual([null, 6, 6, 3]);
    expect(small.getLayer('c2').getWeights()[0]!.shape).toEqual([3, 3, 2, 3]);
    expect(after.params).toBeLessThan(before.params);
    expect(small.countParams()).toBe(after.params);
    expectSameFunction(model, small, [8, 6, 6, 3]);
    small.dispose();
    expect(tf.memory().numTensors).toBe(start);
    model.dispose();
  });

  it('projection shortcut: a channel dead on both paths goes, one live on the shortcut stays', () => {
    const model = residual(true);
    const { model: small, layers, before, after } = compact(model);
    expect(summary(layers)).toEqual([
      ['c0', 3, 1, 0, 1],
      ['c1', 2, 1, 1, 0],
      ['c2', 3, 1, 0, 2],
      ['cs', 3, 1, 0, 0],
      ['fc', 3, 0, 0, 0],
    ]);
    // cs reads c0's kept channels 1, 2, 3 (channel 2: the constant 0.4 a 1×1 conv could fold)
    expect(small.getLayer('cs').getWeights()[0]!.shape).toEqual([1, 1, 3, 3]);
    expect(after.params).toBeLessThan(before.params);
    expectSameFunction(model, small, [8, 6, 6, 3]);
    model.dispose();
    small.dispose();
  });

  it('an inner conv with every channel dead keeps one; a constant no same conv reads goes', () => {
    const model = residual(false);
    // c1 all dead, ReLU 0 everywhere: c2 folds all of it, reads none of r0's channels
    setWeights(model, 'c1', [tf.zeros([3, 3, 4, 4])]);
    setBn(model, 'bn1', [-1, -1, -1, -1], 20);
    const { model: small, layers } = compact(model);
    // r0's channel 2 (0.4) is now read by fc only (after the add: 0.7), which folds it
    expect(summary(layers)).toEqual([
      ['c0', 2, 2, 0, 0],
      ['c1', 1, 3, 0, 1],
      ['c2', 2, 2, 0, 2],
      ['fc', 3, 0, 0, 0],
    ]);
    expect(small.getLayer('c1').getWeights()[0]!.shape).toEqual([3, 3, 2, 1]);
    expectSameFunction(model, small, [8, 6, 6, 3]);
    model.dispose();
    small.dispose();
  });

  it('a stride-2 block with zeroPadding2d and a valid conv, as in resnet18', () => {
    const input = tf.input({ shape: [6, 6, 2], name: 'input' });
    const x = relu(bn(conv(input, 'c0', 4, 3), 'bn0'), 'r0');
    const padded = tf.layers.zeroPadding2d({ padding: 1, name: 'pad' }).apply(x) as Sym;
    const y = bn(conv(relu(bn(conv(padded, 'c1', 4, 3, 2), 'bn1'), 'r1'), 'c2', 4, 3), 'bn2');
    const shortcut = bn(conv(x, 'cs', 4, 1, 2), 'bns');
    const sum = relu(tf.layers.add({ name: 'add' }).apply([y, shortcut]) as Sym, 'r2');
    const pooled = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(sum) as Sym;
    const out = tf.layers.dense({ units: 2, name: 'fc' }).apply(pooled) as Sym;
    const model = tf.model({ inputs: input, outputs: out });
    // c0: channel 0 → ReLU 0 (padding keeps a 0: c1 folds it) goes; channel 1 → 0.5 is a
    // border of zeros and 0.5 after the padding: c1 reads it, it stays; channel 2 → 0.5 that
    // c1 does not read and the 1×1 cs folds: goes
    setWeights(model, 'c0', [kernelWith([3, 3, 2, 4], 1, (_f, o) => o < 3)]);
    setBn(model, 'bn0', [-0.5, 0.5, 0.5, 0.1], 10);
    setWeights(model, 'c1', [kernelWith([3, 3, 4, 4], 2, (f) => f === 2)]);
    setBn(model, 'bn1', [0.1, 0.2, 0.3, 0.4], 20);
    setWeights(model, 'c2', [kernelWith([3, 3, 4, 4], 3, () => false)]);
    setBn(model, 'bn2', [0.1, 0.2, 0.3, 0.4], 30);
    setWeights(model, 'cs', [kernelWith([1, 1, 4, 4], 4, () => false)]);
    setBn(model, 'bns', [0.1, 0.2, 0.3, 0.4], 40);
    const { model: small, layers, before, after } = compact(model);
    expect(summary(layers)).toEqual([
      ['c0', 2, 2, 0, 1],
      ['c1', 4, 0, 0, 0],
      ['c2', 4, 0, 0, 0],
      ['cs', 4, 0, 0, 0],
      ['fc', 2, 0, 0, 0],
    ]);
    expect(small.getLayer('pad').outputShape).toEqual([null, 8, 8, 2]);
    expect(after.params).toBeLessThan(before.params);
    expectSameFunction(model, small, [8, 6, 6, 2]);
    model.dispose();
    small.dispose();
  });

  it('resnet18 with 70 % of the conv channels dead: the same function, fewer parameters, compactAsync agrees', async () => {
    // seeded kernels: with fresh random ones each run, 1 run in many drifted past 1e-5
    const model = resnet18({
      inputShape: [8, 8, 3],
      numClasses: 3,
      mean: 0.5,
      std: 2,
      init: { seed: 18 },
    });
    let seed = 100;
    for (const layer of model.layers) {
      const kind = layer.getClassName();
      if (kind === 'Conv2D') {
        // the same channels in every conv of a width, so that the identity shortcuts agree;
        // the live ones doubled, so that the signal does not fade through 70 % dead channels
        const [kernel] = layer.getWeights();
        const cout = kernel!.shape.at(-1)!;
        const mask = tf.tensor1d(Array.from({ length: cout }, (_, o) => (o % 10 < 7 ? 0 : 2)));
        setWeights(model, layer.name, [tf.mul(kernel!, mask)]);
        mask.dispose();
      } else if (kind === 'BatchNormalization') {
        // dead channels: constant β − μ·γ/σ, mostly negative (0 after ReLU), some positive
        const n = layer.getWeights()[0]!.shape[0]!;
        setWeights(model, layer.name, [
          tf.randomUniform([n], 0.5, 1.5, 'float32', seed++),
          tf.randomUniform([n], -0.6, 0.2, 'float32', seed++),
          tf.randomUniform([n], -0.1, 0.3, 'float32', seed++),
          tf.randomUniform([n], 0.5, 1.5, 'float32', seed++),
        ]);
      }
    }
    // the function is not nearly constant: outputs differ between inputs far beyond 1e-5
    const spread = tf.tidy(() => {
      const y = model.predict(tf.randomNormal([4, 8, 8, 3], 0, 2, 'float32', 1)) as tf.Tensor;
      return tf.min(tf.sub(tf.max(y, 0), tf.min(y, 0))).dataSync()[0]!;
    });
    expect(spread).toBeGreaterThan(0.1);
    const sync = compact(model);
    const { model: small, layers, before, after } = sync;
    console.log(`resnet18 [8, 8, 3]: ${before.params} → ${after.params} parameters`);
    expect(after.params).toBeLessThan(before.params);
    expect(small.countParams()).toBe(after.params);
    expect(layers.map((l) => l.name)).toEqual(
      model.layers
        .filter((l) => l.getClassName() === 'Conv2D')
        .map((l) => l.name)
        .concat('fc'),
    );
    // the input's channels, and the output's units stay
    expect(layers[0]!.unitsAfter).toBeLessThan(64);
    expect(layers.at(-1)!.unitsAfter).toBe(3);
    expectSameFunction(model, small, [4, 8, 8, 3]);

    const { result: viaAsync, reads } = await tensorReads(() => compactAsync(model));
    expect(reads.dataSync).toBe(0);
    expect(viaAsync.layers).toEqual(layers);
    expect(viaAsync.after).toEqual(after);
    for (const layer of small.layers) {
      const a = layer.getWeights();
      const b = viaAsync.model.getLayer(layer.name).getWeights();
      expect(b.length).toBe(a.length);
      for (const [i, t] of a.entries()) {
        const same = tf.tidy(() => tf.all(tf.equal(t, b[i]!)).dataSync()[0]);
        expect(same, `${layer.name} weight ${i}`).toBe(1);
      }
    }
    viaAsync.model.dispose();
    small.dispose();
    model.dispose();
  });
});

describe('compact: residual models it cannot compact exactly are an error', () => {
  const input = () => tf.input({ shape: [4, 4, 2], name: 'input' });
  it.each<[string, () => tf.LayersModel, RegExp]>([
    [
      'a Concatenate merge',
      () => {
        const x = input();
        const a = conv(x, 'a', 3, 1);
        const b = tf.layers.concatenate({ name: 'cat' }).apply([a, x]) as Sym;
        return tf.model({ inputs: x, outputs: conv(b, 'out', 2, 1) });
      },
      /cannot compact through Concatenate 'cat' in a model with branches; supported there: Dense, Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D, Add/,
    ],
    [
      'a Multiply merge',
      () => {
        const x = input();
        const a = conv(x, 'a', 2, 1);
        const b = tf.layers.multiply({ name: 'mul' }).apply([a, x]) as Sym;
        return tf.model({ inputs: x, outputs: conv(b, 'out', 2, 1) });
      },
      /cannot compact through Multiply 'mul'/,
    ],
    [
      'a nested model',
      () => {
        const inner = tf.sequential({
          layers: [tf.layers.conv2d({ inputShape: [4, 4, 2], filters: 2, kernelSize: 1 })],
          name: 'inner',
        });
        const x = input();
        const a = inner.apply(x) as Sym;
        const b = tf.layers.add({ name: 'add' }).apply([a, x]) as Sym;
        return tf.model({ inputs: x, outputs: conv(b, 'out', 2, 1) });
      },
      /layer 'inner' is a nested model \(Sequential\)/,
    ],
    [
      'a hidden softmax',
      () => {
        const x = input();
        const a = conv(x, 'a', 3, 1);
        const soft = tf.layers.activation({ activation: 'softmax', name: 'soft' }).apply(a) as Sym;
        const b = tf.layers.add({ name: 'add' }).apply([conv(soft, 'b', 2, 1), x]) as Sym;
        return tf.model({ inputs: x, outputs: conv(b, 'out', 2, 1) });
      },
      /softmax 'soft' in a model with branches couples the units/,
    ],
    [
      'a layer applied twice',
      () => {
        const x = input();
        const shared = tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'shared' });
        const a = shared.apply(shared.apply(x)) as Sym;
        const b = tf.layers.add({ name: 'add' }).apply([a, x]) as Sym;
        return tf.model({ inputs: x, outputs: conv(b, 'out', 2, 1) });
      },
      /layer 'shared' \(Conv2D\) is applied more than once/,
    ],
    [
      'two outputs',
      () => {
        const x = input();
        const a = conv(x, 'a', 2, 1);
        const b = tf.layers.add({ name: 'add' }).apply([a, x]) as Sym;
        return tf.model({ inputs: x, outputs: [b, conv(b, 'out', 2, 1)] });
      },
      /the model must have one input and one output, got 1 and 2/,
    ],
    [
      'a channelsFirst conv',
      () => {
        const x = input();
        const a = tf.layers
          .conv2d({ filters: 4, kernelSize: 1, dataFormat: 'channelsFirst', name: 'first' })
          .apply(x) as Sym;
        const b = tf.layers.add({ name: 'add' }).apply([conv(a, 'a', 2, 1), x]) as Sym;
        return tf.model({ inputs: x, outputs: conv(b, 'out', 2, 1) });
      },
      /Conv2D 'first' is channelsFirst; only channelsLast is supported/,
    ],
  ])('%s', async (_name, build, message) => {
    const model = build();
    expect(() => compact(model)).toThrow(message);
    await expect(compactAsync(model)).rejects.toThrow(message);
    model.dispose();
  });
});
