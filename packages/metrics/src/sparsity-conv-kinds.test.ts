import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { sparsity } from './sparsity.js';

/**
 * Overwrites the first weight of `layer` whose name ends with `suffix` with a kernel of `shape`
 * that is zero except at the indices `ones` (value 1).
 */
function setOnes(layer: tf.layers.Layer, suffix: string, shape: number[], ...ones: number[][]) {
  const weight = layer.weights.find((w) => w.originalName.endsWith(suffix));
  if (!weight) throw new Error(`no ${suffix} in ${layer.name}`);
  const buffer = tf.buffer(shape);
  for (const index of ones) buffer.set(1, ...index);
  const value = buffer.toTensor();
  weight.write(value);
  value.dispose();
}

describe('sparsity of every convolution kind (kernels and filters on their own axes)', () => {
  it('Conv1D [k, cin, cout]: a kernel is a [k] slice, a filter the last axis', () => {
    const layer = tf.layers.conv1d({ filters: 3, kernelSize: 2, inputShape: [6, 2] });
    const model = tf.sequential({ layers: [layer] });
    // entries in slices (cin 0, cout 0) twice and (cin 1, cout 2): 2 kernels, 2 filters
    setOnes(layer, 'kernel', [2, 2, 3], [0, 0, 0], [1, 0, 0], [1, 1, 2]);
    const [c] = sparsity(model).perLayer;
    expect(c).toMatchObject({ kind: 'Conv1D', nonZeros: 3, size: 12 });
    expect(c).toMatchObject({ nonZeroKernels: 2, kernels: 6, activeFilters: 2, filters: 3 });
    model.dispose();
  });

  it('Conv2DTranspose [kh, kw, cout, cin]: the filters are axis 2', () => {
    const layer = tf.layers.conv2dTranspose({ filters: 3, kernelSize: 2, inputShape: [4, 4, 2] });
    const model = tf.sequential({ layers: [layer] });
    // out-channel 1 from in-channels 0 and 1: 2 kernels, 1 filter
    setOnes(layer, 'kernel', [2, 2, 3, 2], [0, 0, 1, 0], [1, 1, 1, 1]);
    const [c] = sparsity(model).perLayer;
    expect(c).toMatchObject({ kind: 'Conv2DTranspose', shape: [2, 2, 3, 2], nonZeros: 2 });
    expect(c).toMatchObject({ nonZeroKernels: 2, kernels: 6, activeFilters: 1, filters: 3 });
    model.dispose();
  });

  it('DepthwiseConv2D and SeparableConv2D: each kernel of the layer counted on its own', () => {
    const depthwise = tf.layers.depthwiseConv2d({
      kernelSize: 2,
      depthMultiplier: 2,
      inputShape: [4, 4, 3],
    });
    const separable = tf.layers.separableConv2d({ filters: 4, kernelSize: 2 });
    const model = tf.sequential({ layers: [depthwise, separable] });
    // depthwise [2, 2, 3, 2]: output channels (cin, m) = (0, 1) and (2, 0) live
    setOnes(depthwise, 'depthwise_kernel', [2, 2, 3, 2], [0, 0, 0, 1], [1, 0, 2, 0]);
    // separable: depthwise [2, 2, 6, 1] with one live channel; pointwise [1, 1, 6, 4] with
    // entries into out-channels 0 and 3
    setOnes(separable, 'depthwise_kernel', [2, 2, 6, 1], [1, 1, 5, 0]);
    setOnes(separable, 'pointwise_kernel', [1, 1, 6, 4], [0, 0, 5, 0], [0, 0, 2, 3]);
    const report = sparsity(model);
    const [d, sd, sp] = report.perLayer;
    expect(d).toMatchObject({ kind: 'DepthwiseConv2D', nonZeros: 2, size: 24 });
    expect(d).toMatchObject({ nonZeroKernels: 2, kernels: 6, activeFilters: 2, filters: 6 });
    expect(sd).toMatchObject({ kind: 'SeparableConv2D', shape: [2, 2, 6, 1], nonZeros: 1 });
    expect(sd).toMatchObject({ nonZeroKernels: 1, kernels: 6, activeFilters: 1, filters: 6 });
    expect(sp).toMatchObject({ kind: 'SeparableConv2D', shape: [1, 1, 6, 4], nonZeros: 2 });
    expect(sp).toMatchObject({ nonZeroKernels: 2, kernels: 24, activeFilters: 2, filters: 4 });
    expect(sd?.weight).toMatch(/depthwise_kernel$/);
    expect(sp?.weight).toMatch(/pointwise_kernel$/);
    // N_conv over all conv kernels of the model: (2 + 1 + 2) / (6 + 6 + 24)
    expect(report.convKernels).toBeCloseTo(5 / 36, 12);
    expect(report.total).toBeCloseTo(5 / (24 + 24 + 24), 12);
    model.dispose();
  });
});
