// Helpers that build, save and load tfjs-layers models: a subpath of their own
// (`@bregman/test-utils/layers`), so that tests that need none do not load tfjs-layers.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect } from 'vitest';

/**
 * A synthetic 4-class problem whose labels depend on 4 of 20 features (a sparse teacher):
 * `x ~ N(0, 1)^20`, `y = onehot(argmax(x·T))` with `T` zero outside its first 4 rows.
 */
export function teacherData(seed = 3, samples = 512): { x: tf.Tensor; y: tf.Tensor } {
  return tf.tidy(() => {
    const x = tf.randomNormal([samples, 20], 0, 1, 'float32', seed);
    const teacher = tf.concat([
      tf.randomNormal([4, 4], 0, 1, 'float32', seed + 1),
      tf.zeros([16, 4]),
    ]);
    const y = tf.oneHot(tf.argMax(tf.matMul(x, teacher), 1), 4);
    return { x, y };
  });
}

type DenseArgs = NonNullable<Parameters<typeof tfl.layers.dense>[0]>;

/** How {@link teacherMlp} seeds and regularizes its layers. */
export interface TeacherMlpOptions {
  /** The seed of the hidden kernel's He-normal init. */
  seed: number;
  /** The seed of the output kernel's Glorot-normal init (default `seed + 1`). */
  outputSeed?: number;
  /** The hidden layer's bias init (default zeros; the output bias is zeros). */
  biasInitializer?: DenseArgs['biasInitializer'];
  /** A kernel regularizer of both layers (default none). */
  kernelRegularizer?: DenseArgs['kernelRegularizer'];
}

/** A 20-32-4 ReLU / softmax MLP for {@link teacherData}, with seeded kernels. */
export function teacherMlp({
  seed,
  outputSeed = seed + 1,
  biasInitializer,
  kernelRegularizer,
}: TeacherMlpOptions): tfl.Sequential {
  const regularized = kernelRegularizer === undefined ? {} : { kernelRegularizer };
  return tfl.sequential({
    layers: [
      tfl.layers.dense({
        units: 32,
        activation: 'relu',
        inputShape: [20],
        kernelInitializer: tfl.initializers.heNormal({ seed }),
        ...(biasInitializer === undefined ? {} : { biasInitializer }),
        ...regularized,
      }),
      tfl.layers.dense({
        units: 4,
        activation: 'softmax',
        kernelInitializer: tfl.initializers.glorotNormal({ seed: outputSeed }),
        ...regularized,
      }),
    ],
  });
}

/** Saves `model` with its optimizer (`includeOptimizer`) to memory and returns what was saved. */
export async function saveWithOptimizer(model: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
    { includeOptimizer: true },
  );
  return artifacts!;
}

/**
 * Loads what {@link saveWithOptimizer} saved of `original` and asserts that the loaded
 * model's optimizer is an `optimizerClass` with `original`'s optimizer's config.
 */
export async function loadWithOptimizer<O extends tf.Optimizer>(
  artifacts: tf.io.ModelArtifacts,
  original: tfl.LayersModel,
  optimizerClass: abstract new (...args: never[]) => O,
): Promise<{ loaded: tfl.LayersModel; optimizer: O }> {
  const loaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
  const optimizer = loaded.optimizer as O;
  expect(optimizer).toBeInstanceOf(optimizerClass);
  expect(optimizer.getConfig()).toEqual(original.optimizer.getConfig());
  return { loaded, optimizer };
}
