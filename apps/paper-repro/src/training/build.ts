import { ProxGD } from '@bregman/baselines';
import { type RegularizerRule, regularizerFromConfig } from '@bregman/core-prox';
import type { Standardization } from '@bregman/datasets';
import { convNet, denoiser, mlp, resnet18 } from '@bregman/models';
import { AdaBreg, LinBreg, rulesForModel } from '@bregman/optimizers';
import * as tf from '@tensorflow/tfjs';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { RegularizationSpec, RunSpec } from '../shared/spec.js';

/** Builds a run's network, seeded with the run's seed, standardizing with the training statistics. */
export function buildModel(spec: RunSpec, standardization: Standardization): LayersModel {
  const { model } = spec;
  const common = {
    mean: standardization.mean,
    std: standardization.std,
    init: { ...(spec.method.init ?? model.init), seed: spec.seed },
  };
  switch (model.kind) {
    case 'mlp':
      return mlp({ sizes: model.sizes, ...common });
    case 'convNet':
      return convNet(common);
    case 'resnet18':
      return resnet18(common);
    case 'denoiser':
      return denoiser({ width: model.width, hiddenLayers: model.hiddenLayers, ...common });
  }
  throw new Error(`unknown model kind ${JSON.stringify((model as { kind: unknown }).kind)}`);
}

/**
 * The regularizer rules of a method for a model (kernels only; biases get none). The output
 * layer gets its kind's regularizer too, group ones included (`outputLayer: 'include'`, not
 * the library's default): the runs of the paper's experiments have always been trained so,
 * and the denoiser's output neurons are pixels.
 */
export function buildRules(
  model: LayersModel,
  regularization: RegularizationSpec,
): RegularizerRule[] {
  return rulesForModel(model, {
    outputLayer: 'include',
    ...(regularization.dense ? { dense: regularizerFromConfig(regularization.dense) } : {}),
    ...(regularization.conv ? { conv: regularizerFromConfig(regularization.conv) } : {}),
  });
}

/** λ of a method: the largest of its regularizers' or penalty's (0 without regularization). */
export function lambdaOf(method: RunSpec['method']): number {
  const all = [method.regularization, method.penalty ?? {}];
  return Math.max(0, ...all.flatMap((r) => [r.dense?.lambda ?? 0, r.conv?.lambda ?? 0]));
}

/** Builds a run's optimizer for `model`. */
export function buildOptimizer(spec: RunSpec, model: LayersModel): tf.Optimizer {
  const { optimizer, regularization } = spec.method;
  const rules = buildRules(model, regularization);
  const regularized = rules.length > 0;
  switch (optimizer.kind) {
    case 'sgd':
    case 'momentum':
    case 'adam':
      if (regularized) {
        throw new Error(
          `method ${spec.method.id}: ${optimizer.kind} takes no regularization (use proxgd, linbreg or adabreg, or a penalty)`,
        );
      }
      if (optimizer.kind === 'sgd') return tf.train.sgd(optimizer.learningRate);
      if (optimizer.kind === 'adam') return tf.train.adam(optimizer.learningRate);
      return tf.train.momentum(optimizer.learningRate, optimizer.momentum);
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
