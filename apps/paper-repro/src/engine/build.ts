import { ProxGD } from '@bregman/baselines';
import { type RegularizerRule, regularizerFromConfig } from '@bregman/core-prox';
import type { Standardization } from '@bregman/datasets';
import { mlp } from '@bregman/models';
import { AdaBreg, LinBreg, rulesForModel } from '@bregman/optimizers';
import * as tf from '@tensorflow/tfjs';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { RegularizationSpec, RunSpec } from '../spec.js';

/** Builds a run's network, seeded with the run's seed, standardizing with the training statistics. */
export function buildModel(spec: RunSpec, standardization: Standardization): LayersModel {
  const { model } = spec;
  if (model.kind === 'mlp') {
    return mlp({
      sizes: model.sizes,
      mean: standardization.mean,
      std: standardization.std,
      init: { ...model.init, seed: spec.seed },
    });
  }
  throw new Error(`unknown model kind ${JSON.stringify((model as { kind: unknown }).kind)}`);
}

/** The regularizer rules of a method for a model (kernels only; biases get none). */
export function buildRules(
  model: LayersModel,
  regularization: RegularizationSpec,
): RegularizerRule[] {
  return rulesForModel(model, {
    ...(regularization.dense ? { dense: regularizerFromConfig(regularization.dense) } : {}),
    ...(regularization.conv ? { conv: regularizerFromConfig(regularization.conv) } : {}),
  });
}

/** λ of a method: the largest of its regularizers' (0 without regularization). */
export function lambdaOf(regularization: RegularizationSpec): number {
  return Math.max(0, regularization.dense?.lambda ?? 0, regularization.conv?.lambda ?? 0);
}

/** Builds a run's optimizer for `model`. */
export function buildOptimizer(spec: RunSpec, model: LayersModel): tf.Optimizer {
  const { optimizer, regularization } = spec.method;
  const rules = buildRules(model, regularization);
  const regularized = rules.length > 0;
  switch (optimizer.kind) {
    case 'sgd':
    case 'adam':
      if (regularized) {
        throw new Error(
          `method ${spec.method.id}: ${optimizer.kind} takes no regularization (use proxgd, linbreg or adabreg)`,
        );
      }
      return optimizer.kind === 'sgd'
        ? tf.train.sgd(optimizer.learningRate)
        : tf.train.adam(optimizer.learningRate);
    case 'linbreg':
      return new LinBreg({
        learningRate: optimizer.learningRate,
        rules,
        ...(optimizer.momentum === undefined ? {} : { momentum: optimizer.momentum }),
        ...(optimizer.delta === undefined ? {} : { delta: optimizer.delta }),
      });
    case 'adabreg':
      return new AdaBreg({
        learningRate: optimizer.learningRate,
        rules,
        ...(optimizer.delta === undefined ? {} : { delta: optimizer.delta }),
      });
    case 'proxgd':
      return new ProxGD({ learningRate: optimizer.learningRate, rules });
  }
  throw new Error(
    `unknown optimizer kind ${JSON.stringify((optimizer as { kind: unknown }).kind)}`,
  );
}
