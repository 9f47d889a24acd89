import type { Regularizer, RegularizerRule } from '@bregman/core-prox';
import * as tf from '@tensorflow/tfjs';
import { LinBreg } from './lin-breg.js';

let counter = 0;

/** A tiny 2-layer MLP as raw variables with a fixed init, and a fixed data set. */
export function tinyProblem(seed = 1) {
  const id = `tiny${counter++}`;
  const params = [
    tf.variable(tf.randomNormal([6, 8], 0, 0.5, 'float32', seed), true, `${id}/dense1/kernel`),
    tf.variable(tf.randomUniform([8], 0, 0.1, 'float32', seed + 1), true, `${id}/dense1/bias`),
    tf.variable(tf.randomNormal([8, 3], 0, 0.5, 'float32', seed + 2), true, `${id}/dense2/kernel`),
    tf.variable(tf.zeros([3]), true, `${id}/dense2/bias`),
  ] as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
  const x = tf.randomNormal([32, 6], 0, 1, 'float32', seed + 3);
  const labels = tf.oneHot(
    tf.argMax(tf.matMul(x, tf.randomNormal([6, 3], 0, 1, 'float32', seed + 4)), 1),
    3,
  );
  const loss = () => {
    const [W1, b1, W2, b2] = params;
    const logits = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, W1), b1)), W2), b2);
    return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
  };
  const dispose = () => tf.dispose([...params, x, labels]);
  return { params, loss, dispose };
}

/** Runs `steps` of `optimizer.minimize(loss)` and returns the weights as arrays. */
export function train(
  optimizer: tf.Optimizer,
  problem: ReturnType<typeof tinyProblem>,
  steps: number,
) {
  for (let i = 0; i < steps; i++) optimizer.minimize(problem.loss);
  return problem.params.map((p) => Array.from(p.dataSync()));
}

/**
 * The tiny problem (`seed`) after `steps` LinBreg steps with `kernels` on its kernels (or with
 * these rules); learning rate 0.1 and the default δ unless `hyper` says otherwise.
 */
export function linBregOnTinyProblem(
  seed: number,
  kernels: Regularizer | RegularizerRule[],
  steps: number,
  hyper: { learningRate?: number; delta?: number } = {},
) {
  const problem = tinyProblem(seed);
  const rules = Array.isArray(kernels) ? kernels : [{ match: /kernel$/, regularizer: kernels }];
  const optimizer = new LinBreg({ learningRate: 0.1, ...hyper, rules });
  for (let i = 0; i < steps; i++) optimizer.minimize(problem.loss);
  return { problem, optimizer };
}
