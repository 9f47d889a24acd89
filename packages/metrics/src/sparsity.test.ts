import { tensorReads } from '@bregman/test-utils';
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  convKernel,
  convNet,
  convNetCounts,
  denseModel,
  setLayerWeights,
} from './models.test-helper.js';
import { sparsity } from './sparsity.js';

describe('sparsity: the paper’s N_total, N_linear, N_conv (§4.4) on hand-made weights', () => {
  it('counts a conv kernel by [kh, kw] slices, dense kernels by entries and columns', () => {
    const model = convNet();
    const report = sparsity(model);
    const { conv, dense1, dense2 } = convNetCounts;
    const [c, d1, d2] = report.perLayer;
    expect(c).toMatchObject({ kind: 'Conv2D', shape: [2, 3, 2, 3], density: 8 / 36, ...conv });
    expect(c?.weight).toMatch(/kernel$/);
    expect(d1).toMatchObject({ kind: 'Dense', shape: [18, 4], density: 4 / 72, ...dense1 });
    expect(d2).toMatchObject({ kind: 'Dense', shape: [4, 2], density: 1, ...dense2 });
    expect(report.perLayer.map((l) => l.layer)).toEqual(
      [0, 2, 3].map((i) => model.layers[i]?.name),
    );
    // N_conv counts kernels, not entries: 3 of the 6 slices are non-zero
    expect(report.convKernels).toBe(3 / 6);
    // N_linear: non-zero entries over entries of the dense kernels only
    expect(report.linear).toBe((4 + 8) / (72 + 8));
    // N_total: entries of all kernels (biases, all non-zero here, are not weights)
    expect(report.total).toBe((8 + 4 + 8) / (36 + 72 + 8));
    expect(report.nonZeros).toBe(20);
    expect(report.size).toBe(116);
    expect(report.activeNeurons).toEqual([2, 2]);
    model.dispose();
  });

  it('a conv kernel with one single non-zero entry in one slice is one kernel', () => {
    const model = tf.sequential({
      layers: [tf.layers.conv2d({ filters: 2, kernelSize: 3, inputShape: [5, 5, 4] })],
    });
    const kernel = new Array<number>(3 * 3 * 4 * 2).fill(0);
    // entry (kh 2, kw 1, cin 3, cout 1): the slice K_{3,1} and nothing else
    kernel[((2 * 3 + 1) * 4 + 3) * 2 + 1] = 1e-3;
    setLayerWeights(model.layers[0] as tf.layers.Layer, [kernel, [0, 0]]);
    const [layer] = sparsity(model).perLayer;
    expect(layer).toMatchObject({ nonZeros: 1, nonZeroKernels: 1, kernels: 8, activeFilters: 1 });
    expect(sparsity(model).convKernels).toBe(1 / 8);
    expect(sparsity(model).linear).toBeNaN(); // no Dense layer
    expect(sparsity(model).activeNeurons).toEqual([]);
    model.dispose();
  });

  it('a neuron is a kernel column: [nIn, nOut] columns with a non-zero entry', () => {
    // kernel [3, 2] row-major: column 0 = (0, 0, 0), column 1 = (0, 5, 0)
    const model = denseModel([0, 0, 0, 5, 0, 0]);
    const report = sparsity(model);
    expect(report.activeNeurons).toEqual([1]);
    expect(report.perLayer[0]).toMatchObject({ activeNeurons: 1, neurons: 2, nonZeros: 1 });
    expect(report.convKernels).toBeNaN(); // no Conv2D layer
    // one non-zero row (input 1 → both neurons) is two active neurons
    setLayerWeights(model.layers[0] as tf.layers.Layer, [
      [0, 0, 1, 1, 0, 0],
      [0, 0],
    ]);
    expect(sparsity(model).activeNeurons).toEqual([2]);
    model.dispose();
  });

  it('includes nested models (a Sequential used as a layer), a shared model once', () => {
    const inner = tf.sequential({
      name: 'inner',
      layers: [
        tf.layers.dense({ name: 'a', units: 3, inputShape: [4], kernelInitializer: 'zeros' }),
        tf.layers.dense({ name: 'b', units: 2, kernelInitializer: 'ones' }),
      ],
    });
    const input = tf.input({ shape: [5] });
    const first = tf.layers.dense({ name: 'first', units: 4, kernelInitializer: 'ones' });
    const second = tf.layers.dense({ name: 'second', units: 4, kernelInitializer: 'zeros' });
    // the inner model is applied twice: its weights are shared and count once
    const h1 = inner.apply(first.apply(input)) as tf.SymbolicTensor;
    const h2 = inner.apply(second.apply(input)) as tf.SymbolicTensor;
    const model = tf.model({
      inputs: input,
      outputs: tf.layers.concatenate().apply([h1, h2]) as tf.SymbolicTensor,
    });
    const report = sparsity(model);
    // model.layers order, the nested model expanded in place
    const order = model.layers.flatMap((l) => (l.name === 'inner' ? ['a', 'b'] : [l.name]));
    const expected: Record<string, [number[], number]> = {
      first: [[5, 4], 4],
      second: [[5, 4], 0],
      a: [[4, 3], 0],
      b: [[3, 2], 2],
    };
    const names = order.filter((n) => n in expected);
    expect(report.perLayer.map((l) => l.layer)).toEqual(names);
    expect(report.perLayer.map((l) => l.shape)).toEqual(names.map((n) => expected[n]?.[0]));
    expect(report.activeNeurons).toEqual(names.map((n) => expected[n]?.[1]));
    expect(report.total).toBe((20 + 0 + 0 + 6) / (20 + 20 + 12 + 6));
    model.dispose();
  });

  it('includes Dense layers wrapped in TimeDistributed; ignores layers without kernels', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.timeDistributed({
          layer: tf.layers.dense({ units: 3, kernelInitializer: 'ones' }),
          inputShape: [2, 4],
        }),
        tf.layers.batchNormalization(),
        tf.layers.flatten(),
        tf.layers.dense({ units: 1, kernelInitializer: 'zeros' }),
      ],
    });
    const report = sparsity(model);
    expect(report.perLayer.map((l) => l.shape)).toEqual([
      [4, 3],
      [6, 1],
    ]);
    expect(report.activeNeurons).toEqual([3, 0]);
    model.dispose();
  });

  it('NaN counts as non-zero; a frozen layer still counts', () => {
    const model = denseModel([Number.NaN, 0, 0, 0, 0, 0]);
    model.layers[0]!.trainable = false;
    expect(sparsity(model).perLayer[0]).toMatchObject({ nonZeros: 1, activeNeurons: 1 });
    model.dispose();
  });

  it('matches a plain JS count on random kernels (property)', () => {
    const shapeArb = fc.tuple(
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 4 }),
    );
    fc.assert(
      fc.property(shapeArb, fc.double({ min: 0, max: 1 }), fc.integer(), (s, p, seed) => {
        const [kh, kw, cin, cout, units] = s;
        const model = tf.sequential({
          layers: [
            tf.layers.conv2d({ filters: cout, kernelSize: [kh, kw], inputShape: [kh, kw, cin] }),
            tf.layers.flatten(),
            tf.layers.dense({ units }),
          ],
        });
        let state = seed >>> 0;
        const rand = () => {
          state = (state * 1664525 + 1013904223) >>> 0;
          return state / 2 ** 32;
        };
        const conv = Array.from({ length: kh * kw * cin * cout }, () => (rand() < p ? 0 : rand()));
        const dense = Array.from({ length: cout * units }, () => (rand() < p ? 0 : -rand()));
        setLayerWeights(model.layers[0]!, [conv, new Array(cout).fill(0)]);
        setLayerWeights(model.layers[2]!, [dense, new Array(units).fill(0)]);
        const report = sparsity(model);
        model.dispose();
        // reference counts, straight from the layout
        let kernelsNonZero = 0;
        for (let i = 0; i < cin; i++) {
          for (let o = 0; o < cout; o++) {
            let any = false;
            for (let h = 0; h < kh; h++) {
              for (let w = 0; w < kw; w++) any ||= conv[((h * kw + w) * cin + i) * cout + o] !== 0;
            }
            if (any) kernelsNonZero++;
          }
        }
        let columns = 0;
        for (let o = 0; o < units; o++) {
          if (Array.from({ length: cout }, (_, i) => dense[i * units + o]).some((v) => v !== 0)) {
            columns++;
          }
        }
        const nz = (xs: number[]) => xs.filter((v) => v !== 0).length;
        expect(report.convKernels).toBe(kernelsNonZero / (cin * cout));
        expect(report.linear).toBe(nz(dense) / dense.length);
        expect(report.total).toBe((nz(conv) + nz(dense)) / (conv.length + dense.length));
        expect(report.activeNeurons).toEqual([columns]);
      }),
      { numRuns: 40 },
    );
  });

  it('reads the weights once (one dataSync), leaves no tensors behind', async () => {
    const model = convNet();
    const { reads, newTensors } = await tensorReads(() => sparsity(model));
    expect(reads).toMatchObject({ dataSync: 1, arraySync: 0 });
    expect(newTensors).toBe(0);
    model.dispose();
  });

  it('rejects what is not a built model, naming the argument', () => {
    expect(() => sparsity({} as tf.LayersModel)).toThrow(
      /sparsity: model must be a tf.LayersModel/,
    );
    expect(() => sparsity(tf.sequential())).toThrow(/no built Dense or convolution layer/);
    const noKernels = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [2, 2] })] });
    expect(() => sparsity(noKernels)).toThrow(/no built Dense or convolution layer/);
    expect(convKernel()).toHaveLength(36);
  });
});
