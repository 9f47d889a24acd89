import { type RegularizerConfig, regularizerFromConfig } from '@bregman/core-prox';
import { expectAllClose, loadGolden, shapeOf } from '@bregman/test-utils';
import * as tf from '@tensorflow/tfjs';
import { describe, it } from 'vitest';
import { ProxGD } from './prox-gd.js';

const golden = loadGolden();
const runs = golden.runs.filter((r) => r.optimizer === 'ProxGD');

describe('ProxGD runs of shared/fixtures/golden-public.json (float64 reference)', () => {
  it('has ProxGD runs to check', () => {
    if (runs.length < 1) throw new Error('fixture lacks ProxGD runs');
  });

  runs.forEach((run, r) => {
    const label = `ProxGD ${JSON.stringify(run.hyper)} J=${JSON.stringify(run.kernelRegularizer)}`;
    it(`${label}: loss and parameters step by step to 1e-5 relative`, () => {
      // Dense(nHidden, relu) -> Dense(nOut), params [W1, b1, W2, b2]; a rule on kernels only.
      const names = ['dense1/kernel', 'dense1/bias', 'dense2/kernel', 'dense2/bias'].map(
        (n) => `goldenProxGD${r}/${n}`,
      );
      const params = golden.model.init.map((value, i) =>
        tf.variable(tf.tensor(value as number[], shapeOf(value)), true, names[i]),
      );
      const [W1, b1, W2, b2] = params as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
      const rules = run.kernelRegularizer
        ? [
            {
              match: /\/kernel$/,
              regularizer: regularizerFromConfig(run.kernelRegularizer as RegularizerConfig),
            },
          ]
        : [];
      const optimizer = new ProxGD({ learningRate: run.hyper.lr!, rules });
      run.lossBeforeEachStep.forEach((expectedLoss, step) => {
        const batch = golden.batches[step % golden.batches.length]!;
        const x = tf.tensor2d(batch.x as number[][]);
        const labels = tf.oneHot(tf.tensor1d(batch.labels as number[], 'int32'), golden.model.nOut);
        const loss = optimizer.minimize(
          () =>
            tf.losses.softmaxCrossEntropy(
              labels,
              tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, W1), b1)), W2), b2),
            ),
          true,
        ) as tf.Scalar;
        expectAllClose(loss.dataSync(), expectedLoss, {
          label: `${label} loss before step ${step}`,
        });
        for (const [i, p] of params.entries()) {
          expectAllClose(p.dataSync(), run.paramsAfterEachStep[step]![i]!, {
            label: `${label} ${names[i]} after step ${step}`,
          });
        }
        tf.dispose([x, labels, loss]);
      });
      optimizer.dispose();
      tf.dispose(params);
    });
  });
});
