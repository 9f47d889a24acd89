import * as tf from '@tensorflow/tfjs';

/** Sets a layer's weights from nested arrays (shapes taken from the layer's own weights). */
export function setLayerWeights(layer: tf.layers.Layer, values: unknown[]): void {
  tf.tidy(() => {
    const shapes = layer.getWeights().map((w) => w.shape);
    layer.setWeights(values.map((v, i) => tf.tensor(v as number[], shapes[i])));
  });
}

/**
 * A Conv2D kernel `[kh=2, kw=3, cin=2, cout=3]` as a flat array, with known `[kh, kw]` slices:
 *  - (cin 0, cout 0): all 6 entries non-zero,
 *  - (cin 1, cout 0): one non-zero entry, at (kh 1, kw 2),
 *  - (cin 1, cout 2): one non-zero entry, at (kh 0, kw 0),
 *  - every other slice all zero (out-channel 1 is dead).
 * So: 8 non-zero entries of 36, 3 non-zero kernels of 6, 2 active filters of 3.
 */
export function convKernel(): number[] {
  const kernel = new Array<number>(2 * 3 * 2 * 3).fill(0);
  const at = (h: number, w: number, i: number, o: number) => ((h * 3 + w) * 2 + i) * 3 + o;
  for (let h = 0; h < 2; h++) for (let w = 0; w < 3; w++) kernel[at(h, w, 0, 0)] = 1 + h + w;
  kernel[at(1, 2, 1, 0)] = -0.5;
  kernel[at(0, 0, 1, 2)] = 2e-30; // tiny is still non-zero
  return kernel;
}

/**
 * Conv2D (2×3 kernel, 2 → 3 channels) → flatten → Dense(6 → 4) → Dense(4 → 2), on 4×4×2 inputs
 * (the conv output is 3×2×3 = 18 features), with hand-made weights:
 *  - conv kernel {@link convKernel}, biases all 1 (biases never count),
 *  - dense 1 kernel [18, 4]: column 1 has 3 non-zeros, column 3 one; columns 0, 2 are zero,
 *  - dense 2 kernel [4, 2]: all 8 entries non-zero.
 */
export function convNet() {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ filters: 3, kernelSize: [2, 3], inputShape: [4, 4, 2] }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 4, activation: 'relu' }),
      tf.layers.dense({ units: 2 }),
    ],
  });
  const [conv, , dense1, dense2] = model.layers as [
    tf.layers.Layer,
    tf.layers.Layer,
    tf.layers.Layer,
    tf.layers.Layer,
  ];
  setLayerWeights(conv, [convKernel(), [1, 1, 1]]);
  const d1 = new Array<number>(18 * 4).fill(0);
  d1[0 * 4 + 1] = 0.3;
  d1[5 * 4 + 1] = -0.2;
  d1[17 * 4 + 1] = 0.1;
  d1[9 * 4 + 3] = 4;
  setLayerWeights(dense1, [d1, [1, 1, 1, 1]]);
  setLayerWeights(dense2, [
    [1, -2, 3, -4, 5, -6, 7, -8],
    [0.5, 0.5],
  ]);
  return model;
}

/** Counts of {@link convNet}, written out by hand. */
export const convNetCounts = {
  conv: { nonZeros: 8, size: 36, nonZeroKernels: 3, kernels: 6, activeFilters: 2, filters: 3 },
  dense1: { nonZeros: 4, size: 72, activeNeurons: 2, neurons: 4 },
  dense2: { nonZeros: 8, size: 8, activeNeurons: 2, neurons: 2 },
  /** Σ|w| of the kernels: conv 1+2+3+2+3+4 + 0.5 + 2e-30, dense1 0.6 + 4, dense2 36. */
  l1: 15 + 0.5 + 0.6 + 4 + 36,
};

/** A Dense(3 → 2) model with the given kernel (row-major `[3, 2]`) and bias. */
export function denseModel(kernel: number[], bias: number[] = [0.25, -0.25]) {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
  setLayerWeights(model.layers[0] as tf.layers.Layer, [kernel, bias]);
  return model;
}

/** A small seeded MLP 8-16-3 and a fixed data set for fit tests. */
export function mlpProblem(seed = 1, samples = 96) {
  const x = tf.randomNormal([samples, 8], 0, 1, 'float32', seed);
  const teacher = tf.randomNormal([8, 3], 0, 1, 'float32', seed + 1);
  const y = tf.oneHot(tf.argMax(tf.matMul(x, teacher), 1), 3);
  teacher.dispose();
  const model = tf.sequential({
    layers: [
      tf.layers.dense({
        units: 16,
        activation: 'relu',
        inputShape: [8],
        kernelInitializer: tf.initializers.glorotNormal({ seed: seed + 2 }),
        biasInitializer: tf.initializers.constant({ value: 0.1 }),
      }),
      tf.layers.dense({
        units: 3,
        activation: 'softmax',
        kernelInitializer: tf.initializers.glorotNormal({ seed: seed + 3 }),
      }),
    ],
  });
  return { x, y, model };
}
