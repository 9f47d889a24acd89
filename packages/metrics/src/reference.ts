import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { checkModel, describe } from './validation.js';

/**
 * Reference weights to compare a model with: another model of the same architecture, or a
 * list of tensors in the order of `model.weights` (what {@link snapshotWeights} returns).
 */
export type WeightsReference = LayersModel | readonly Tensor[];

/**
 * Copies of all of `model`'s weights, in the order of `model.weights` / `model.getWeights()`:
 * a reference for {@link bregmanDistanceTo} that later training does not change. (tfjs's
 * `model.getWeights()` hands out the live variables, which training overwrites; this clones
 * them.) The caller owns the tensors: `tf.dispose(snapshot)` when done.
 */
export function snapshotWeights(model: LayersModel): Tensor[] {
  checkModel('snapshotWeights: model', model);
  return model.weights.map((weight) => tf.clone(weight.read()));
}

/**
 * `reference` as one getter per position of `model.weights`, after checking that it is a
 * model or a tensor list of the right length (internal).
 */
export function referenceReaders(
  context: string,
  model: LayersModel,
  reference: WeightsReference,
): Array<() => Tensor> {
  const count = model.weights.length;
  let readers: Array<() => Tensor>;
  if (Array.isArray(reference)) {
    readers = reference.map((tensor, i) => {
      if (!(tensor instanceof tf.Tensor)) {
        throw new TypeError(
          `${context}: reference[${i}] must be a tf.Tensor, got ${describe(tensor)}`,
        );
      }
      if (tensor.isDisposed) {
        throw new Error(
          `${context}: reference[${i}] is disposed (keep the snapshot alive while you use it)`,
        );
      }
      return () => tensor;
    });
  } else {
    checkModel(`${context}: reference`, reference);
    readers = (reference as LayersModel).weights.map((weight) => () => weight.read());
  }
  if (readers.length !== count) {
    throw new RangeError(
      `${context}: reference must hold one tensor per variable of the model (${count}, in the order of model.weights), got ${readers.length}`,
    );
  }
  return readers;
}
