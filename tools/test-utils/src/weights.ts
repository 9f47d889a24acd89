import type * as tf from '@tensorflow/tfjs-core';

/** What {@link weightArrays} reads: a tfjs-layers model or layer. */
export interface HasWeights {
  getWeights(): tf.Tensor[];
}

/** The weights of a model (trainable and not, in `getWeights()` order), read back as arrays. */
export function weightArrays(model: HasWeights): number[][] {
  return model.getWeights().map((w) => Array.from(w.dataSync()));
}

/** The weights of the model `build` returns, read back as arrays; the model is disposed. */
export function weightsOfNew(build: () => HasWeights & { dispose(): unknown }): number[][] {
  const model = build();
  const values = weightArrays(model);
  model.dispose();
  return values;
}
