import * as tf from '@tensorflow/tfjs';

/**
 * The paper's Fashion-MNIST ConvNet: conv5×5·f → maxpool2 → ReLU → conv5×5·f → maxpool2 →
 * ReLU → flatten → dense128 → ReLU → dense10 on 28×28×1 (f = 64 in the paper).
 */
export function convNet(filters = 64, seed = 1): tf.Sequential {
  const init = (s: number) => tf.initializers.glorotUniform({ seed: seed + s });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [28, 28, 1],
        filters,
        kernelSize: 5,
        kernelInitializer: init(0),
      }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.reLU(),
      tf.layers.conv2d({ filters, kernelSize: 5, kernelInitializer: init(1) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.reLU(),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: init(2) }),
      tf.layers.dense({ units: 10, kernelInitializer: init(3) }),
    ],
  });
}

/**
 * A CIFAR ResNet (3×3 stem, no max-pool, basic blocks of two 3×3 convs with BatchNorm, 1×1
 * stride-2 projections, global average pool, dense 10). `widths` [64, 128, 256, 512] with
 * 2 blocks each is ResNet-18.
 */
export function resnet(
  widths: number[],
  blocksPerStage: number,
  inputShape: [number, number, number] = [32, 32, 3],
  seed = 1,
): tf.LayersModel {
  let s = seed;
  const convBn = (x: tf.SymbolicTensor, filters: number, strides: number, kernelSize = 3) =>
    tf.layers.batchNormalization().apply(
      tf.layers
        .conv2d({
          filters,
          kernelSize,
          strides,
          padding: 'same',
          useBias: false,
          kernelInitializer: tf.initializers.heNormal({ seed: s++ }),
        })
        .apply(x),
    ) as tf.SymbolicTensor;
  const relu = (x: tf.SymbolicTensor) => tf.layers.reLU().apply(x) as tf.SymbolicTensor;
  const input = tf.input({ shape: inputShape });
  let x = relu(convBn(input, widths[0]!, 1));
  let channels = widths[0]!;
  for (const [stage, filters] of widths.entries()) {
    for (let block = 0; block < blocksPerStage; block++) {
      const strides = stage > 0 && block === 0 ? 2 : 1;
      const y = convBn(relu(convBn(x, filters, strides)), filters, 1);
      const shortcut = strides !== 1 || channels !== filters ? convBn(x, filters, strides, 1) : x;
      x = relu(tf.layers.add().apply([y, shortcut]) as tf.SymbolicTensor);
      channels = filters;
    }
  }
  const pooled = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers
    .dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: s++ }) })
    .apply(pooled) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits });
}

/** Cross-entropy of `model` on a batch, in training mode (BatchNorm uses batch statistics). */
export function lossOf(model: tf.LayersModel, x: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor);
}

/** The gradient of the loss with respect to every trainable weight, by variable name. */
export function weightGradients(model: tf.LayersModel, x: tf.Tensor, labels: tf.Tensor) {
  const { value, grads } = tf.variableGrads(() => lossOf(model, x, labels));
  const out: Record<string, Float32Array> = {};
  for (const [name, g] of Object.entries(grads)) out[name] = g.dataSync() as Float32Array;
  const loss = value.dataSync()[0]!;
  tf.dispose([value, ...Object.values(grads)]);
  return { loss, grads: out };
}
