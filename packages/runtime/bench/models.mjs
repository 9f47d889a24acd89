// The paper's nets as tfjs-layers models, for the benchmarks.
import * as tf from '@tensorflow/tfjs';

export function convNet() {
  return tf.sequential({
    layers: [
      // ReLU inside the conv layers, before the pooling, as @bregman/models' convNet
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 64, kernelSize: 5, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 5, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 10 }),
    ],
  });
}

export function mlp() {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [784], units: 200, activation: 'relu' }),
      tf.layers.dense({ units: 80, activation: 'relu' }),
      tf.layers.dense({ units: 10 }),
    ],
  });
}

/** CIFAR ResNet-18 (3×3 stem, no max-pool, [2, 2, 2, 2] basic blocks, BatchNorm). */
export function resnet18() {
  const input = tf.input({ shape: [32, 32, 3] });
  const convBn = (x, filters, strides, kernelSize = 3) =>
    tf.layers
      .batchNormalization()
      .apply(
        tf.layers
          .conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false })
          .apply(x),
      );
  let x = tf.layers.reLU().apply(convBn(input, 64, 1));
  let channels = 64;
  for (const [filters, strides] of [
    [64, 1],
    [64, 1],
    [128, 2],
    [128, 1],
    [256, 2],
    [256, 1],
    [512, 2],
    [512, 1],
  ]) {
    const y = convBn(tf.layers.reLU().apply(convBn(x, filters, strides)), filters, 1);
    const shortcut = strides !== 1 || channels !== filters ? convBn(x, filters, strides, 1) : x;
    x = tf.layers.reLU().apply(tf.layers.add().apply([y, shortcut]));
    channels = filters;
  }
  const pooled = tf.layers.globalAveragePooling2d({}).apply(x);
  return tf.model({ inputs: input, outputs: tf.layers.dense({ units: 10 }).apply(pooled) });
}
