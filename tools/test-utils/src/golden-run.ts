import * as tf from '@tensorflow/tfjs-core';
import { expectAllClose, shapeOf } from './close.js';
import type { Golden, GoldenRun } from './golden.js';

let runCounter = 0;

/**
 * Replays one optimizer run of the golden fixture and checks it step by step to 1e-5
 * relative: the fixture's model `Dense(nHidden, relu) → Dense(nOut)` (params
 * `[W1, b1, W2, b2]`, variables named `…/dense1/kernel` etc. so that a rule matching
 * `/\/kernel$/` hits the kernels only), mean softmax cross-entropy, the fixture's batches in
 * order; the loss before each step and every parameter after it. The caller must have loaded
 * `@tensorflow/tfjs` (gradients) and makes the optimizer.
 */
export function checkGoldenRun(
  golden: Golden,
  run: GoldenRun,
  makeOptimizer: () => tf.Optimizer,
): void {
  const label = `${run.optimizer} ${JSON.stringify(run.hyper)} J=${JSON.stringify(run.kernelRegularizer)}`;
  const names = ['dense1/kernel', 'dense1/bias', 'dense2/kernel', 'dense2/bias'].map(
    (n) => `golden${runCounter}/${n}`,
  );
  runCounter += 1;
  const params = golden.model.init.map((value, i) =>
    tf.variable(tf.tensor(value as number[], shapeOf(value)), true, names[i]),
  );
  const [W1, b1, W2, b2] = params as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
  const optimizer = makeOptimizer();
  try {
    run.lossBeforeEachStep.forEach((expectedLoss, step) => {
      const batch = golden.batches[step % golden.batches.length]!;
      const x = tf.tensor2d(batch.x as number[][]);
      const labels = tf.oneHot(tf.tensor1d(batch.labels as number[], 'int32'), golden.model.nOut);
      const loss = optimizer.minimize(
        () =>
          tf.losses.softmaxCrossEntropy(
            labels,
            tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, W1), b1)), W2), b2),
          ) as tf.Scalar,
        true,
      ) as tf.Scalar;
      expectAllClose(loss.dataSync(), expectedLoss, { label: `${label} loss before step ${step}` });
      for (const [i, p] of params.entries()) {
        expectAllClose(p.dataSync(), run.paramsAfterEachStep[step]![i]!, {
          label: `${label} ${names[i]} after step ${step}`,
        });
      }
      tf.dispose([x, labels, loss]);
    });
  } finally {
    optimizer.dispose();
    tf.dispose(params);
  }
}
