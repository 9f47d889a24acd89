import type { LayersModel } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import type { GradientExchange } from './gradient-exchange.js';
import {
  computeLoss,
  countCorrect,
  type DataParallelLoss,
  isClassificationLoss,
} from './losses.js';

/** What one shard contributes to a step; the caller disposes the tensors. */
export interface ShardGradients {
  /** The shard's mean loss. */
  loss: tf.Scalar;
  /** The gradient of `loss` for each variable, in the order of the variables given. */
  grads: tf.Tensor[];
  /** How many samples were classified right (classification losses only). */
  correct: tf.Scalar | null;
}

/**
 * The gradients of the mean loss of `model` on one shard, for `variables` (the model's
 * trainable weights), with the model in training mode: dropout is on and BatchNorm normalizes
 * with the shard's own statistics and moves its running mean and variance toward them.
 * The same code runs on the main thread and in every worker thread.
 */
export function shardGradients(
  model: LayersModel,
  variables: tf.Variable[],
  loss: DataParallelLoss,
  x: tf.Tensor,
  y: tf.Tensor,
): ShardGradients {
  let correct = null as tf.Scalar | null;
  try {
    const { value, grads } = tf.variableGrads(() => {
      const output = model.apply(x, { training: true });
      if (Array.isArray(output)) {
        throw new Error('DataParallelTrainer: a model with several outputs is not supported');
      }
      if (isClassificationLoss(loss)) correct = tf.keep(countCorrect(y, output as tf.Tensor));
      return computeLoss(loss, y, output as tf.Tensor);
    }, variables);
    return { loss: value, grads: variables.map((v) => grads[v.name]!), correct };
  } catch (error) {
    correct?.dispose();
    throw error;
  }
}

/**
 * Computes thread `index`'s shard (`x`, `y`; none when `x` is null: the batch had fewer
 * samples than threads) on `model` and publishes it into `exchange`: the gradients for the
 * trainable `variables[0, trainable)`, the non-trainable rest after the shard, the loss and
 * the correct count. The same code runs on the main thread and in every worker thread.
 */
export function publishShard(
  exchange: GradientExchange,
  index: number,
  model: LayersModel,
  variables: readonly tf.Variable[],
  loss: DataParallelLoss,
  x: tf.Tensor | null,
  y: tf.Tensor | null,
): void {
  if (!x || !y) return;
  const trainable = variables.slice(0, exchange.trainable);
  const result = shardGradients(model, trainable, loss, x, y);
  try {
    const correct = result.correct ? result.correct.dataSync()[0]! : null;
    exchange.publish(
      index,
      result.grads,
      variables.slice(exchange.trainable),
      result.loss.dataSync()[0]!,
      correct,
    );
  } finally {
    tf.dispose([result.loss, ...result.grads, ...(result.correct ? [result.correct] : [])]);
  }
}
