import { ProxGD } from '@bregman/baselines';
import { GroupL12, L1, type Regularizer } from '@bregman/core-prox';
import { sparsifyModel } from '@bregman/init';
import { mlp } from '@bregman/models';
import { AdaBreg, LinBreg, rulesForModel } from '@bregman/optimizers';
import * as tf from '@tensorflow/tfjs';
import { LINBREG_MOMENTUM, type RunSettings } from '../settings.js';

/** The paper's MNIST MLP. */
export const MLP_SIZES = [784, 200, 80, 10];

/** MNIST's pixel mean and standard deviation (pixels in [0, 1]): the model standardizes. */
const MNIST_MEAN = 0.1307;
const MNIST_STD = 0.3081;

/** A run's model and optimizer. */
export interface BuiltRun {
  /** The MLP 784-200-80-10, sparse at the start. */
  model: tf.Sequential;
  /** The optimizer that trains it. */
  optimizer: tf.Optimizer;
}

/** The regularizer of `settings` for the Dense kernels (ℓ1, or ℓ1,2 over each neuron's inputs). */
function regularizer(settings: RunSettings): Regularizer {
  return settings.regularizer === 'neuron'
    ? new GroupL12({ lambda: settings.lambda, reduceAxes: [0] })
    : new L1({ lambda: settings.lambda });
}

/**
 * The model and optimizer of a run. The initialization is sparse (paper §4.1: He-normal × 0.7
 * on the kept entries, positive uniform biases): single weights kept with probability
 * `initDensity` (ℓ1), or whole neurons of the hidden layers (neuron sparsity; the output layer
 * keeps its entry-wise sparse init so that no class starts switched off).
 */
export function buildRun(settings: RunSettings): BuiltRun {
  const init = { density: settings.initDensity, variance: 'he', gain: 0.7 } as const;
  const model = mlp({
    sizes: MLP_SIZES,
    mean: MNIST_MEAN,
    std: MNIST_STD,
    init: { ...init, seed: settings.seed },
  });
  if (settings.regularizer === 'neuron') {
    sparsifyModel(model, { ...init, groups: { dense: 'neuron' }, seed: settings.seed });
  }
  const rules = () => rulesForModel(model, { dense: regularizer(settings) });
  const learningRate = settings.learningRate;
  const optimizer: tf.Optimizer = (() => {
    switch (settings.optimizer) {
      case 'sgd':
        return tf.train.sgd(learningRate);
      case 'linbreg':
        return new LinBreg({ learningRate, rules: rules() });
      case 'linbreg-momentum':
        return new LinBreg({ learningRate, momentum: LINBREG_MOMENTUM, rules: rules() });
      case 'adabreg':
        return new AdaBreg({ learningRate, rules: rules() });
      case 'proxgd':
        return new ProxGD({ learningRate, rules: rules() });
    }
  })();
  return { model, optimizer };
}
