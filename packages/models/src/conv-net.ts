import { checkInteger } from '@bregman/core-prox';
import * as tf from '@tensorflow/tfjs-layers';
import { layerInitializers, type ModelInit } from './model-init.js';
import { Standardize } from './standardize.js';
import { checkShape } from './validation.js';

/** Options of {@link convNet}. */
export interface ConvNetOptions {
  /** Input shape `[h, w, c]` (default `[28, 28, 1]`: Fashion-MNIST). */
  inputShape?: [number, number, number];
  /** Number of classes (default 10). */
  numClasses?: number;
  /** Filters of each conv layer (default 64). */
  filters?: number;
  /** Width of the hidden Dense layer (default 128). */
  hidden?: number;
  /** Input mean (a number or one per channel). Default 0. */
  mean?: number | number[];
  /** Input standard deviation (> 0). Default 1. */
  std?: number | number[];
  /** Kernel and bias initialization, e.g. `{density: 0.01, groups: {conv: 'kernel'}}`. */
  init?: ModelInit;
  /** Model name. */
  name?: string;
}

/**
 * The Fashion-MNIST ConvNet of the paper's §4.4 (Tables 1–2): `Standardize →
 * conv5×5·64 → maxpool2 → ReLU → conv5×5·64 → maxpool2 → ReLU → flatten (4·4·64 = 1024)
 * → Dense 128 ReLU → Dense 10` (logits), 'valid' padding. 236,618 parameters on 28×28×1.
 *
 * Max-pooling commutes with ReLU (both are monotone), so each conv layer applies the ReLU
 * itself and the pooling follows: the same function, but in training tfjs then takes the
 * unfused convolution, whose gradient skips the input gradient of the first layer (the
 * data needs none); the fused one always computes it.
 * Layers: `standardize`, `conv_1` (ReLU), `pool_1`, `conv_2` (ReLU), `pool_2`, `flatten`,
 * `dense_1`, `dense_2`.
 */
export function convNet(options: ConvNetOptions = {}): tf.Sequential {
  const {
    inputShape = [28, 28, 1],
    numClasses = 10,
    filters = 64,
    hidden = 128,
    mean = 0,
    std = 1,
    init = {},
    name,
  } = options;
  checkShape('convNet: inputShape', inputShape);
  if (inputShape.length !== 3) {
    throw new RangeError(
      `convNet: inputShape must be [height, width, channels], got [${inputShape.join(', ')}]`,
    );
  }
  checkInteger('convNet: numClasses', numClasses, 1);
  checkInteger('convNet: filters', filters, 1);
  checkInteger('convNet: hidden', hidden, 1);
  const [h, w, c] = inputShape;
  const after = (n: number) => Math.floor((n - 4) / 2);
  const [h2, w2] = [after(after(h)), after(after(w))];
  if (h2 < 1 || w2 < 1) {
    throw new RangeError(
      `convNet: inputShape [${inputShape.join(', ')}] is too small for two conv5×5 + maxpool2 stages (need ≥ 16×16)`,
    );
  }
  const model = tf.sequential(name === undefined ? {} : { name });
  model.add(new Standardize({ inputShape, mean, std, name: 'standardize' }));
  const conv = (i: number, cin: number) =>
    tf.layers.conv2d({
      filters,
      kernelSize: 5,
      padding: 'valid',
      activation: 'relu',
      name: `conv_${i}`,
      ...layerInitializers(init, i - 1, 'conv', 25 * cin, true),
    });
  model.add(conv(1, c));
  model.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool_1' }));
  model.add(conv(2, filters));
  model.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool_2' }));
  model.add(tf.layers.flatten({ name: 'flatten' }));
  const flat = h2 * w2 * filters;
  model.add(
    tf.layers.dense({
      units: hidden,
      activation: 'relu',
      name: 'dense_1',
      ...layerInitializers(init, 2, 'dense', flat, true),
    }),
  );
  model.add(
    tf.layers.dense({
      units: numClasses,
      name: 'dense_2',
      ...layerInitializers(init, 3, 'dense', hidden, true),
    }),
  );
  return model;
}
