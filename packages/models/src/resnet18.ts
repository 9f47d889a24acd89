import { checkInteger } from '@bregman/core-prox';
import * as tf from '@tensorflow/tfjs-layers';
import { layerInitializers, type ModelInit } from './model-init.js';
import { Standardize } from './standardize.js';
import { checkShape } from './validation.js';

/** Options of {@link resnet18}. */
export interface ResNet18Options {
  /** Input shape `[h, w, c]` (default `[32, 32, 3]`: CIFAR-10). */
  inputShape?: [number, number, number];
  /** Number of classes (default 10). */
  numClasses?: number;
  /** Input mean, e.g. CIFAR-10's per-channel means. Default 0. */
  mean?: number | number[];
  /** Input standard deviation (> 0). Default 1. */
  std?: number | number[];
  /**
   * Kernel initialization of the convs and the classifier (BatchNorm keeps γ = 1, β = 0;
   * convs have no bias). E.g. `{density: 0.01}` for the paper's Bregman runs.
   */
  init?: ModelInit;
  /** Model name. */
  name?: string;
}

/** BatchNorm as PyTorch's default: momentum 0.1 (tfjs: 0.9), ε = 1e-5. */
const BN = { momentum: 0.9, epsilon: 1e-5 } as const;

/**
 * The CIFAR variant of ResNet-18 used in the paper's §4.5 (Table 3): a 3×3·64 stem
 * without max-pool, four stages of two BasicBlocks (64, 128, 256, 512 channels; stages 2–4
 * start with stride 2), BatchNorm after every conv, 1×1 conv + BatchNorm projection
 * shortcuts where the shape changes, global average pooling, Dense `numClasses` (logits).
 * 11,173,962 trainable parameters (+ 9,600 BatchNorm running statistics).
 *
 * Stride-2 3×3 convs pad one pixel on every side (PyTorch's `padding=1`) so that they sample
 * the same pixels as the 1×1 shortcut; tfjs's `'same'` would pad bottom/right only.
 * Layer names: `stem_conv`, `stage2_block1_conv1`, `stage2_block1_shortcut_conv`, …, `fc`.
 */
export function resnet18(options: ResNet18Options = {}): tf.LayersModel {
  const { inputShape = [32, 32, 3], numClasses = 10, mean = 0, std = 1, init = {}, name } = options;
  checkShape('resnet18: inputShape', inputShape);
  if (inputShape.length !== 3) {
    throw new RangeError(
      `resnet18: inputShape must be [height, width, channels], got [${inputShape.join(', ')}]`,
    );
  }
  checkInteger('resnet18: numClasses', numClasses, 1);
  let index = 0;
  const conv = (
    x: tf.SymbolicTensor,
    filters: number,
    kernelSize: number,
    strides: number,
    cin: number,
    layerName: string,
  ): tf.SymbolicTensor => {
    const { kernelInitializer } = layerInitializers(
      init,
      index++,
      'conv',
      kernelSize * kernelSize * cin,
      true,
    );
    let input = x;
    let padding: 'same' | 'valid' = 'same';
    if (strides > 1 && kernelSize > 1) {
      input = tf.layers
        .zeroPadding2d({ padding: (kernelSize - 1) / 2, name: `${layerName}_pad` })
        .apply(x) as tf.SymbolicTensor;
      padding = 'valid';
    }
    return tf.layers
      .conv2d({
        filters,
        kernelSize,
        strides,
        padding,
        useBias: false,
        kernelInitializer,
        name: layerName,
      })
      .apply(input) as tf.SymbolicTensor;
  };
  const bn = (x: tf.SymbolicTensor, layerName: string) =>
    tf.layers.batchNormalization({ ...BN, name: layerName }).apply(x) as tf.SymbolicTensor;
  const relu = (x: tf.SymbolicTensor, layerName: string) =>
    tf.layers.activation({ activation: 'relu', name: layerName }).apply(x) as tf.SymbolicTensor;

  const input = tf.input({ shape: inputShape, name: 'input' });
  let x = new Standardize({ mean, std, name: 'standardize' }).apply(input) as tf.SymbolicTensor;
  x = relu(bn(conv(x, 64, 3, 1, inputShape[2], 'stem_conv'), 'stem_bn'), 'stem_relu');
  let cin = 64;
  [64, 128, 256, 512].forEach((filters, s) => {
    for (let b = 0; b < 2; b++) {
      const strides = s > 0 && b === 0 ? 2 : 1;
      const p = `stage${s + 1}_block${b + 1}`;
      let y = relu(bn(conv(x, filters, 3, strides, cin, `${p}_conv1`), `${p}_bn1`), `${p}_relu1`);
      y = bn(conv(y, filters, 3, 1, filters, `${p}_conv2`), `${p}_bn2`);
      const shortcut =
        strides !== 1 || cin !== filters
          ? bn(conv(x, filters, 1, strides, cin, `${p}_shortcut_conv`), `${p}_shortcut_bn`)
          : x;
      x = relu(
        tf.layers.add({ name: `${p}_add` }).apply([y, shortcut]) as tf.SymbolicTensor,
        `${p}_relu2`,
      );
      cin = filters;
    }
  });
  x = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tf.SymbolicTensor;
  const fc = layerInitializers(init, index++, 'dense', cin, true);
  const logits = tf.layers
    .dense({ units: numClasses, name: 'fc', ...fc })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, ...(name === undefined ? {} : { name }) });
}
