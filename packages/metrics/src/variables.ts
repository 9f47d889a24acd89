import type { Tensor } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { checkModel } from './validation.js';

/** One variable of a model (internal). */
export interface ModelVariable {
  /** `tf.Variable.name`: what regularizer rules match. */
  name: string;
  /** The variable's shape. */
  shape: number[];
  /** Its position in `model.weights` (the order of `model.getWeights()`). */
  index: number;
  /** The live variable (never dispose it). */
  read(): Tensor;
}

/**
 * The trainable variables of a model (the `θ` an optimizer trains), with their position in
 * `model.weights`. A frozen layer's variables are not trainable.
 */
export function trainableVariables(context: string, model: LayersModel): ModelVariable[] {
  checkModel(`${context}: model`, model);
  const trainable = new Set(model.trainableWeights);
  const variables: ModelVariable[] = [];
  model.weights.forEach((weight, index) => {
    if (!trainable.has(weight)) return;
    variables.push({
      name: weight.name,
      shape: [...(weight.shape as number[])],
      index,
      read: () => weight.read(),
    });
  });
  return variables;
}
