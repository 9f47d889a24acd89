import { expectAllClose } from '@bregman/test-utils';
import * as tf from '@tensorflow/tfjs';

/** Sets a layer's weights from nested arrays (kernel, bias, …). */
export function setWeights(model: tf.LayersModel, name: string, values: tf.Tensor[]): void {
  model.getLayer(name).setWeights(values);
  tf.dispose(values);
}

/** The layer's weights as flat arrays. */
export function weightsOf(model: tf.LayersModel, name: string): number[][] {
  return model
    .getLayer(name)
    .getWeights()
    .map((w) => Array.from(w.dataSync()));
}

/** Asserts both models give the same outputs (to 1e-5) on random inputs of `shape`. */
export function expectSameFunction(
  a: tf.LayersModel,
  b: tf.LayersModel,
  shape: number[],
  seed = 1,
): void {
  const [ya, yb] = tf.tidy(() => {
    const x = tf.randomNormal(shape, 0, 2, 'float32', seed);
    return [(a.predict(x) as tf.Tensor).dataSync(), (b.predict(x) as tf.Tensor).dataSync()];
  });
  expectAllClose(yb!, ya!, { rtol: 1e-5, atol: 1e-5, label: 'compact output' });
}

/** A random tensor with some entries set to zero by `zero(index) → boolean` over a 2-D view. */
export function kernelWith(
  shape: number[],
  seed: number,
  zero: (inIndex: number, out: number) => boolean,
): tf.Tensor {
  const values = tf.tidy(() => tf.randomNormal(shape, 0, 0.5, 'float32', seed).dataSync());
  const nOut = shape[shape.length - 1]!;
  const nIn = shape[shape.length - 2]!;
  for (let i = 0; i < values.length; i++) {
    const o = i % nOut;
    const f = Math.floor(i / nOut) % nIn;
    if (zero(f, o)) values[i] = 0;
  }
  return tf.tensor(values, shape);
}
