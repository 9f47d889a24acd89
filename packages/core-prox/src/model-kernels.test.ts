import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { kernelGroupAxes, modelKernels } from './model-kernels.js';

describe('modelKernels: the one walker of a model’s kernels', () => {
  it('finds every kernel kind with its group axes; nested, wrapped and shared layers once', () => {
    const inner = tf.sequential({
      layers: [tf.layers.dense({ units: 3, inputShape: [4], name: 'inner' })],
    });
    const input = tf.input({ shape: [8, 8, 2] });
    const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'conv' });
    const shared = tf.layers.conv2d({ filters: 4, kernelSize: 1, name: 'shared' });
    let x = conv.apply(input) as tf.SymbolicTensor;
    x = shared.apply(x) as tf.SymbolicTensor;
    x = shared.apply(x) as tf.SymbolicTensor; // the same layer twice
    x = tf.layers
      .depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, name: 'dw' })
      .apply(x) as tf.SymbolicTensor;
    x = tf.layers
      .separableConv2d({ filters: 5, kernelSize: 3, name: 'sep' })
      .apply(x) as tf.SymbolicTensor;
    x = tf.layers
      .conv2dTranspose({ filters: 3, kernelSize: 2, name: 'up' })
      .apply(x) as tf.SymbolicTensor;
    x = tf.layers.reshape({ targetShape: [-1, 4] }).apply(x) as tf.SymbolicTensor;
    x = tf.layers
      .timeDistributed({ layer: tf.layers.dense({ units: 4, name: 'td' }) })
      .apply(x) as tf.SymbolicTensor;
    x = tf.layers.conv1d({ filters: 4, kernelSize: 2, name: 'c1' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.globalAveragePooling1d().apply(x) as tf.SymbolicTensor;
    const output = inner.apply(x) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });

    const found = modelKernels(model).map((k) => [
      k.layerName,
      k.kind,
      k.variable.originalName.split('/').at(-1),
      k.variable.shape.length,
      k.groupAxes.neuron,
      k.groupAxes.kernel,
    ]);
    const td = model.layers.find((l) => l.getClassName() === 'TimeDistributed')!;
    expect(found).toEqual([
      ['conv', 'Conv2D', 'kernel', 4, [0, 1, 2], [0, 1]],
      ['shared', 'Conv2D', 'kernel', 4, [0, 1, 2], [0, 1]],
      ['dw', 'DepthwiseConv2D', 'depthwise_kernel', 4, [0, 1], [0, 1]],
      ['sep', 'SeparableConv2D', 'depthwise_kernel', 4, [0, 1], [0, 1]],
      ['sep', 'SeparableConv2D', 'pointwise_kernel', 4, [0, 1, 2], [0, 1]],
      ['up', 'Conv2DTranspose', 'kernel', 4, [0, 1, 3], [0, 1]],
      ['td', 'Dense', 'kernel', 2, [0], null],
      ['c1', 'Conv1D', 'kernel', 3, [0, 1], [0]],
      ['inner', 'Dense', 'kernel', 2, [0], null],
    ]);
    expect(modelKernels(model)[6]!.variable).toBe(td.weights[0]);
    model.dispose();
  });

  it('kernelGroupAxes: [] for entries, the kernel’s own axes otherwise; kernel groups of a Dense kernel are an error', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2dTranspose({ filters: 2, kernelSize: 2, inputShape: [3, 3, 1], name: 'up' }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2, name: 'd' }),
      ],
    });
    const [up, dense] = modelKernels(model);
    expect(kernelGroupAxes(up!, 'entry')).toEqual([]);
    expect(kernelGroupAxes(up!, 'neuron')).toEqual([0, 1, 3]);
    expect(kernelGroupAxes(dense!, 'neuron')).toEqual([0]);
    expect(() => kernelGroupAxes(dense!, 'kernel', 'groups.dense')).toThrow(
      "groups.dense 'kernel' needs a convolution kernel; layer 'd' is Dense (use 'entry' or 'neuron')",
    );
    expect(() => kernelGroupAxes(up!, 'filters' as never)).toThrow(
      `groups must be one of 'entry', 'neuron', 'kernel', got "filters"`,
    );
    model.dispose();
  });

  it('refuses what is not a model and a kernel of the wrong rank, naming the caller', () => {
    expect(() => modelKernels(null as never, 'sparsity')).toThrow(
      /sparsity: model must be a tf.LayersModel \(with layers\), got null/,
    );
    const fake = {
      layers: [
        {
          name: 'odd',
          getClassName: () => 'Conv2D',
          weights: [
            { name: 'odd/kernel', originalName: 'odd/kernel', shape: [3, 3], trainable: true },
          ],
        },
      ],
    };
    expect(() => modelKernels(fake as never)).toThrow(
      "modelKernels: Conv2D layer 'odd' has a kernel of shape [3, 3], expected rank 4",
    );
  });
});
