import { tensorReads } from '@bregman/test-utils';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { compact, compactAsync } from './compact.js';
import { expectSameFunction, kernelWith, setWeights, weightsOf } from './compact.test-helper.js';

type Sym = tf.SymbolicTensor;

/** Per weighted layer: [name, units after, removed constant, removed unused, kept constant]. */
const summary = (layers: ReturnType<typeof compact>['layers']) =>
  layers.map((l) => [l.name, l.unitsAfter, l.removedConstant, l.removedUnused, l.keptConstant]);

/** The shapes of a layer's weights in `model`. */
const shapesOf = (model: tf.LayersModel, name: string) =>
  model
    .getLayer(name)
    .getWeights()
    .map((w) => w.shape);

/**
 * A 1×1 Conv2D `c1` with 4 channels, ReLU: channel 1 dead with bias 0.5 (the constant 0.5),
 * channel 3 dead with bias −0.2 (the constant 0).
 */
function constantChannels(inputChannels: number) {
  return {
    layer: tf.layers.conv2d({ filters: 4, kernelSize: 1, activation: 'relu', name: 'c1' }),
    weights: [
      kernelWith([1, 1, inputChannels, 4], 1, (_f, o) => o === 1 || o === 3),
      tf.tensor1d([0.1, 0.5, 0.2, -0.2]),
    ],
  };
}

describe('compact: Conv2DTranspose', () => {
  /**
   * [5, 5, 2] → c1 (2×2·4 valid, ReLU; channel 1 the constant 0.5, channel 3 the constant 0)
   * → t1 (transposed 3×3·4, ReLU; kernel [3, 3, units, inputs]) → c2 (3×3·2 valid) → flatten
   * → dense 3. t1's unit 0 is dead (bias 0.2: c2 folds the constant 0.2), c2 does not read
   * t1's unit 2. t1 folds c1's constant 0 but keeps the constant 0.5 at any padding and
   * strides: how many taps reach an output position varies.
   */
  function transposeNet(padding: 'same' | 'valid', strides: number) {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [5, 5, 2],
          filters: 4,
          kernelSize: 2,
          activation: 'relu',
          name: 'c1',
        }),
        tf.layers.conv2dTranspose({
          filters: 4,
          kernelSize: 3,
          strides,
          padding,
          activation: 'relu',
          name: 't1',
        }),
        tf.layers.conv2d({ filters: 2, kernelSize: 3, name: 'c2' }),
        tf.layers.flatten({ name: 'flatten' }),
        tf.layers.dense({ units: 3, name: 'out' }),
      ],
    });
    setWeights(model, 'c1', [
      kernelWith([2, 2, 2, 4], 1, (_f, o) => o === 1 || o === 3),
      tf.tensor1d([0.1, 0.5, 0.2, -0.3]),
    ]);
    // kernelWith zeroes by (second to last, last) axis: (unit, input) in a transposed kernel
    setWeights(model, 't1', [
      kernelWith([3, 3, 4, 4], 2, (o) => o === 0),
      tf.tensor1d([0.2, 0.1, -0.1, 0.3]),
    ]);
    setWeights(model, 'c2', [
      kernelWith([3, 3, 4, 2], 3, (f) => f === 2),
      tf.tensor1d([0.1, -0.2]),
    ]);
    return model;
  }

  it.each([
    ['same', 2],
    ['valid', 1],
  ] as const)(
    "%s padding, strides %i: a dead unit and an unused one go, the input's constant 0 folds, its constant 0.5 stays",
    (padding, strides) => {
      const model = transposeNet(padding, strides);
      const { model: small, layers, before, after } = compact(model);
      expect(layers.map((l) => l.className)).toEqual([
        'Conv2D',
        'Conv2DTranspose',
        'Conv2D',
        'Dense',
      ]);
      expect(summary(layers)).toEqual([
        ['c1', 3, 1, 0, 1],
        ['t1', 2, 1, 1, 0],
        ['c2', 2, 0, 0, 0],
        ['out', 3, 0, 0, 0],
      ]);
      // t1 keeps units 1, 3 and reads c1's channels 0, 1, 2
      expect(shapesOf(small, 't1')).toEqual([[3, 3, 2, 3], [2]]);
      expectSameFunction(model, small, [4, 5, 5, 2]);
      // FLOPs: a transposed kernel once per input position (4×4)
      const side = padding === 'same' ? 8 : 6;
      const flops = (c1: number, t1: number, c2: number) =>
        2 * (2 * 2 * 2 * c1 * 16 + 9 * c1 * t1 * 16 + 9 * t1 * c2 * (side - 2) ** 2) +
        2 * (side - 2) ** 2 * c2 * 3;
      expect(before.flops).toBe(flops(4, 4, 2));
      expect(after.flops).toBe(flops(3, 2, 2));
      model.dispose();
      small.dispose();
    },
  );
});

describe('compact: DepthwiseConv2D', () => {
  /**
   * [7, 7, 3] → c1 (1×1·4, ReLU: channel 1 the constant 0.5, channel 3 the constant 0) → dw
   * (depthwise 3×3, depth multiplier 2, ReLU; unit 2c + m reads c1's channel c) → c2 (1×1·3)
   * → global average pooling → dense 2. dw's unit 0 and unit 4 are dead (their bias: a
   * constant), c2 does not read unit 1: c1's channel 0 goes with both its units; channel
   * 2 stays for unit 5 and so does its constant unit 4.
   */
  function depthwiseNet(padding: 'same' | 'valid', strides: number) {
    const { layer, weights } = constantChannels(3);
    const input = tf.input({ shape: [7, 7, 3] });
    const x = layer.apply(input) as Sym;
    const y = tf.layers
      .depthwiseConv2d({
        kernelSize: 3,
        depthMultiplier: 2,
        padding,
        strides,
        activation: 'relu',
        name: 'dw',
      })
      .apply(x) as Sym;
    const z = tf.layers.conv2d({ filters: 3, kernelSize: 1, name: 'c2' }).apply(y) as Sym;
    const pooled = tf.layers.globalAveragePooling2d({}).apply(z) as Sym;
    const out = tf.layers.dense({ units: 2, name: 'out' }).apply(pooled) as Sym;
    const model = tf.model({ inputs: input, outputs: out });
    setWeights(model, 'c1', weights);
    setWeights(model, 'dw', [
      kernelWith([3, 3, 4, 2], 4, (c, m) => m === 0 && (c === 0 || c === 2)),
      tf.tensor1d([0.3, 0.1, 0.2, -0.1, 0.25, 0.1, 0.15, 0.05]),
    ]);
    setWeights(model, 'c2', [
      kernelWith([1, 1, 8, 3], 5, (f) => f === 1),
      tf.tensor1d([0.1, 0, -0.1]),
    ]);
    return model;
  }

  it.each([
    [
      'valid',
      2,
      [
        // c1: channel 2 stays; 1 and 3 fold (0.5·Σ taps, and 0); 0 is unused
        ['c1', 1, 2, 1, 0],
        // dw: units 4, 5 stay (4 is constant); 0, 2, 3, 6, 7 constant; 1 unused
        ['dw', 2, 5, 1, 1],
        ['c2', 3, 0, 0, 0],
        ['out', 2, 0, 0, 0],
      ],
    ],
    [
      'same',
      1,
      [
        // c1: the constant 0.5 of channel 1 stays (dw's border sees the padding)
        ['c1', 2, 1, 1, 1],
        ['dw', 4, 3, 1, 1],
        ['c2', 3, 0, 0, 0],
        ['out', 2, 0, 0, 0],
      ],
    ],
  ] as const)(
    '%s padding, strides %i: an input channel goes with all its units, a constant unit stays with its sibling',
    (padding, strides, expected) => {
      const model = depthwiseNet(padding, strides);
      const { model: small, layers } = compact(model);
      expect(layers.map((l) => l.className)).toEqual([
        'Conv2D',
        'DepthwiseConv2D',
        'Conv2D',
        'Dense',
      ]);
      expect(summary(layers)).toEqual(expected);
      const kept = expected[0][1];
      expect(shapesOf(small, 'dw')).toEqual([[3, 3, kept, 2], [2 * kept]]);
      expectSameFunction(model, small, [4, 7, 7, 3]);
      model.dispose();
      small.dispose();
    },
  );

  it("a depthwise layer on the model's input keeps all its units, and so does the depthwise layer it feeds", () => {
    // dw1 (depth multiplier 1, 'same'): unit 0 dead, the constant 0.4, which the 'valid' dw2
    // folds (dw2's units 0, 1 become constants); c reads only dw2's units 2, 3. Yet every
    // input channel stays, so dw1's units stay, so do dw2's inputs and then its units.
    const model = tf.sequential({
      layers: [
        tf.layers.depthwiseConv2d({
          inputShape: [6, 6, 2],
          kernelSize: 3,
          padding: 'same',
          activation: 'relu',
          name: 'dw1',
        }),
        tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, name: 'dw2' }),
        tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'c' }),
        tf.layers.flatten({}),
        tf.layers.dense({ units: 2, name: 'out' }),
      ],
    });
    setWeights(model, 'dw1', [
      kernelWith([3, 3, 2, 1], 6, (c) => c === 0),
      tf.tensor1d([0.4, 0.1]),
    ]);
    setWeights(model, 'dw2', [
      kernelWith([3, 3, 2, 2], 7, () => false),
      tf.tensor1d([0.1, 0.2, 0.3, 0.4]),
    ]);
    setWeights(model, 'c', [kernelWith([1, 1, 4, 2], 8, (f) => f < 2), tf.tensor1d([0.1, 0.2])]);
    const { model: small, layers } = compact(model);
    expect(summary(layers)).toEqual([
      ['dw1', 2, 0, 0, 1],
      ['dw2', 4, 0, 0, 2],
      ['c', 2, 0, 0, 0],
      ['out', 2, 0, 0, 0],
    ]);
    // the folded constant: dw2's kernel from dw1's unit 0 is zero, its bias holds 0.4·Σ taps
    const [kernel, bias] = weightsOf(small, 'dw2') as [number[], number[]];
    const [origKernel, origBias] = weightsOf(model, 'dw2') as [number[], number[]];
    for (const m of [0, 1]) {
      let taps = 0;
      for (let s = 0; s < 9; s++) {
        expect(kernel[s * 4 + m]).toBe(0);
        taps += origKernel[s * 4 + m]!;
      }
      expect(bias[m]).toBeCloseTo(origBias[m]! + 0.4 * taps, 5);
    }
    expectSameFunction(model, small, [4, 6, 6, 2]);
    model.dispose();
    small.dispose();
  });
});

describe('compact: SeparableConv2D', () => {
  /**
   * [7, 7, 2] → c1 (1×1·4, ReLU: channel 1 the constant 0.5, channel 3 the constant 0) → sep
   * (separable 3×3, depth multiplier 2, 5 filters, ReLU) → global average pooling → dense 3.
   * sep's depthwise slices of channel 0 are zero (unused), its pointwise column 0 is zero
   * (unit 0 dead, bias 0.4), and the dense layer does not read unit 4.
   */
  function separableNet(padding: 'same' | 'valid', dilationRate: number) {
    const { layer, weights } = constantChannels(2);
    const model = tf.sequential({
      layers: [
        tf.layers.inputLayer({ inputShape: [7, 7, 2] }),
        layer,
        tf.layers.separableConv2d({
          filters: 5,
          kernelSize: 3,
          depthMultiplier: 2,
          padding,
          dilationRate,
          activation: 'relu',
          name: 'sep',
        }),
        tf.layers.globalAveragePooling2d({}),
        tf.layers.dense({ units: 3, name: 'out' }),
      ],
    });
    setWeights(model, 'c1', weights);
    setWeights(model, 'sep', [
      kernelWith([3, 3, 4, 2], 9, (c) => c === 0),
      kernelWith([1, 1, 8, 5], 10, (_d, o) => o === 0),
      tf.tensor1d([0.4, 0.1, -0.1, 0.2, 0.3]),
    ]);
    setWeights(model, 'out', [
      kernelWith([5, 3], 11, (f) => f === 4),
      tf.tensor1d([0.1, 0.2, 0.3]),
    ]);
    return model;
  }

  it.each([
    ['valid', 2, 1, [2, 1, 0]],
    ['same', 1, 2, [1, 1, 1]],
  ] as const)(
    '%s padding, dilation %i: input channels go with their depthwise channels, dead and unused filters go',
    (padding, dilationRate, c1After, [removedConstant, removedUnused, keptConstant]) => {
      const model = separableNet(padding, dilationRate);
      const { model: small, layers, before, after } = compact(model);
      expect(layers.map((l) => l.className)).toEqual(['Conv2D', 'SeparableConv2D', 'Dense']);
      expect(summary(layers)).toEqual([
        ['c1', c1After, removedConstant, removedUnused, keptConstant],
        ['sep', 3, 1, 1, 0],
        ['out', 3, 0, 0, 0],
      ]);
      expect(shapesOf(small, 'sep')).toEqual([[3, 3, c1After, 2], [1, 1, 2 * c1After, 3], [3]]);
      expectSameFunction(model, small, [4, 7, 7, 2]);
      // FLOPs: c1 at 7×7, sep's depthwise and pointwise parts at its output positions, dense
      const positions = padding === 'valid' ? 9 : 49;
      const flops = (c1: number, sep: number, out: number) =>
        2 * (2 * c1 * 49 + (9 * c1 * 2 + c1 * 2 * sep) * positions + sep * out);
      expect(before.flops).toBe(flops(4, 5, 3));
      expect(after.flops).toBe(flops(c1After, 3, 3));
      expect(small.countParams()).toBe(after.params);
      model.dispose();
      small.dispose();
    },
  );

  it('compactAsync builds the same models as compact for the three layer kinds, and neither leaves tensors behind', async () => {
    const tinyTranspose = () =>
      tf.sequential({
        layers: [
          tf.layers.conv2dTranspose({
            inputShape: [3, 3, 2],
            filters: 3,
            kernelSize: 2,
            strides: 2,
            activation: 'relu',
            name: 't',
          }),
          tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'c' }),
        ],
      });
    for (const build of [
      () => {
        const model = tinyTranspose();
        setWeights(model, 't', [
          kernelWith([2, 2, 3, 2], 12, (o) => o === 1),
          tf.tensor1d([0.1, 0.3, 0.2]),
        ]);
        return model;
      },
      () => {
        const model = tf.sequential({
          layers: [
            tf.layers.conv2d({ inputShape: [5, 5, 2], filters: 3, kernelSize: 1, name: 'c0' }),
            tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, name: 'dw' }),
            tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'c' }),
          ],
        });
        setWeights(model, 'c0', [
          kernelWith([1, 1, 2, 3], 13, (_f, o) => o === 2),
          tf.tensor1d([0.1, 0.2, 0.3]),
        ]);
        return model;
      },
      () => separableNet('valid', 1),
    ]) {
      const model = build();
      const start = tf.memory().numTensors;
      const sync = compact(model);
      const { result: viaAsync, reads } = await tensorReads(() => compactAsync(model));
      expect(reads.dataSync).toBe(0);
      expect(viaAsync.layers).toEqual(sync.layers);
      expect(viaAsync.after).toEqual(sync.after);
      expect(viaAsync.after.params).toBeLessThan(viaAsync.before.params);
      for (const layer of sync.model.layers) {
        expect(weightsOf(viaAsync.model, layer.name), layer.name).toEqual(
          weightsOf(sync.model, layer.name),
        );
      }
      expectSameFunction(model, viaAsync.model, [
        2,
        ...model.inputs[0]!.shape.slice(1),
      ] as number[]);
      sync.model.dispose();
      viaAsync.model.dispose();
      expect(tf.memory().numTensors, 'tensors left behind').toBe(start);
      model.dispose();
    }
  });
});

describe('compact: a depthwise layer inside a residual block', () => {
  /**
   * An inverted residual block: [6, 6, 4] → expand (1×1·6, ReLU) → dw (depthwise 3×3 'same',
   * depth multiplier 2, ReLU) → project (1×1·4) → add(·, input) → ReLU → pooling → fc 2.
   * expand: channel 0 the constant 0.5 (dw's 'same' border: stays), channel 1 the constant 0.
   * dw (unit 2c + m from channel c): units 2, 3 fold into project (from the constant 0);
   * project reads neither unit 4 nor 5 (channel 2 goes), nor unit 9 (stays: unit 8 is read);
   * channel 3's units are dead (constants: channel 3 goes); unit 10 is dead but unit 11 not.
   * project's unit 3 is dead, but the add links it to the model's input: it stays.
   */
  it('the kept units of the depthwise layer are those of its kept inputs, across the groups', async () => {
    const input = tf.input({ shape: [6, 6, 4], name: 'input' });
    const x = tf.layers
      .conv2d({ filters: 6, kernelSize: 1, activation: 'relu', name: 'expand' })
      .apply(input) as Sym;
    const y = tf.layers
      .depthwiseConv2d({
        kernelSize: 3,
        depthMultiplier: 2,
        padding: 'same',
        activation: 'relu',
        name: 'dw',
      })
      .apply(x) as Sym;
    const z = tf.layers.conv2d({ filters: 4, kernelSize: 1, name: 'project' }).apply(y) as Sym;
    const sum = tf.layers.add({ name: 'add' }).apply([z, input]) as Sym;
    const r = tf.layers.activation({ activation: 'relu', name: 'relu' }).apply(sum) as Sym;
    const pooled = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(r) as Sym;
    const out = tf.layers.dense({ units: 2, name: 'fc' }).apply(pooled) as Sym;
    const model = tf.model({ inputs: input, outputs: out });
    setWeights(model, 'expand', [
      kernelWith([1, 1, 4, 6], 1, (_f, o) => o < 2),
      tf.tensor1d([0.5, -0.3, 0.1, 0.2, 0.1, 0.3]),
    ]);
    setWeights(model, 'dw', [
      kernelWith([3, 3, 6, 2], 2, (c, m) => c === 3 || (c === 5 && m === 0)),
      tf.tensor1d([0.1, 0.2, 0.3, 0.1, 0.2, 0.1, 0.2, 0.3, 0.1, 0.1, 0.2, 0.1]),
    ]);
    setWeights(model, 'project', [
      kernelWith([1, 1, 12, 4], 3, (f, o) => f === 4 || f === 5 || f === 9 || o === 3),
      tf.tensor1d([0.1, -0.1, 0.2, 0.1]),
    ]);
    const { model: small, layers } = compact(model);
    expect(summary(layers)).toEqual([
      ['expand', 3, 1, 2, 1],
      ['dw', 6, 4, 2, 1],
      ['project', 4, 0, 0, 1],
      ['fc', 2, 0, 0, 0],
    ]);
    expect(shapesOf(small, 'dw')).toEqual([[3, 3, 3, 2], [6]]);
    expect(shapesOf(small, 'project')).toEqual([[1, 1, 6, 4], [4]]);
    expectSameFunction(model, small, [4, 6, 6, 4]);
    const viaAsync = await compactAsync(model);
    expect(viaAsync.layers).toEqual(layers);
    expectSameFunction(small, viaAsync.model, [4, 6, 6, 4]);
    model.dispose();
    small.dispose();
    viaAsync.model.dispose();
  });
});

describe('compact: the three layer kinds with channels first are an error', () => {
  it.each<[string, () => tf.layers.Layer]>([
    [
      'Conv2DTranspose',
      () =>
        tf.layers.conv2dTranspose({
          filters: 2,
          kernelSize: 2,
          dataFormat: 'channelsFirst',
          name: 'first',
        }),
    ],
    [
      'DepthwiseConv2D',
      () =>
        tf.layers.depthwiseConv2d({ kernelSize: 2, dataFormat: 'channelsFirst', name: 'first' }),
    ],
    [
      'SeparableConv2D',
      () =>
        tf.layers.separableConv2d({
          filters: 2,
          kernelSize: 2,
          dataFormat: 'channelsFirst',
          name: 'first',
        }),
    ],
  ])('%s', async (kind, layer) => {
    const model = tf.sequential({
      layers: [
        tf.layers.inputLayer({ inputShape: [2, 4, 4] }),
        layer(),
        tf.layers.flatten({}),
        tf.layers.dense({ units: 2 }),
      ],
    });
    const message = new RegExp(`${kind} 'first' is channelsFirst; only channelsLast is supported`);
    expect(() => compact(model)).toThrow(RangeError);
    expect(() => compact(model)).toThrow(message);
    await expect(compactAsync(model)).rejects.toThrow(message);
    model.dispose();
  });
});
