import { L1 } from '@bregman/core-prox';
import { convNet, mlp, resnet18 } from '@bregman/models';
import { AdaBreg, LinBreg, rulesForModel } from '@bregman/optimizers';
import { softmaxCrossEntropy } from '@bregman/runtime';
import * as tf from '@tensorflow/tfjs';

/** A model to time: how to build it and the shape of one example. */
export interface ModelCase {
  /** Name on the command line and in the table. */
  name: string;
  /** Batch sizes to time. */
  batchSizes: number[];
  /** Builds a fresh model. */
  build(): tf.LayersModel;
  /** Shape of one input example. */
  inputShape: number[];
  /** Number of classes. */
  classes: number;
}

/**
 * The loss every model is trained with here, as `pnpm repro` trains them: softmax
 * cross-entropy of the logits the models output, `@bregman/runtime`'s `softmaxCrossEntropy`
 * (tfjs-layers' `'categoricalCrossentropy'` would take the logits for probabilities, normalize
 * them by their sum and clip them).
 */
export function trainingLoss(labels: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  return softmaxCrossEntropy(labels, logits);
}

/** An optimizer to time. */
export interface OptimizerCase {
  /** Name on the command line and in the table. */
  name: string;
  /** The optimizer it is compared with (the ratio column), if any. */
  baseline?: string;
  /** Builds it for a model (ℓ1 on every Dense / Conv2D kernel for the Bregman ones). */
  build(model: tf.LayersModel): tf.Optimizer;
}

const l1 = (model: tf.LayersModel) => {
  const J = new L1({ lambda: 1e-3 });
  return rulesForModel(model, { dense: J, conv: J });
};

/** The models of the issue: MLP (Fig. 2–3), ConvNet (Tables 1–2), ResNet-18 (Table 3). */
export const MODELS: ModelCase[] = [
  {
    name: 'mlp',
    batchSizes: [128],
    build: () => mlp({ sizes: [784, 200, 80, 10] }),
    inputShape: [784],
    classes: 10,
  },
  {
    name: 'convNet',
    batchSizes: [32, 128],
    build: () => convNet(),
    inputShape: [28, 28, 1],
    classes: 10,
  },
  {
    name: 'resnet18',
    batchSizes: [16],
    build: () => resnet18(),
    inputShape: [32, 32, 3],
    classes: 10,
  },
];

/** tfjs's SGD and Adam, and the Bregman optimizers with ℓ1 on the kernels. */
export const OPTIMIZERS: OptimizerCase[] = [
  { name: 'sgd', build: () => tf.train.sgd(0.1) },
  {
    name: 'linbreg',
    baseline: 'sgd',
    build: (model) => new LinBreg({ learningRate: 0.1, rules: l1(model) }),
  },
  {
    name: 'linbreg-momentum',
    baseline: 'sgd',
    build: (model) => new LinBreg({ learningRate: 0.1, momentum: 0.9, rules: l1(model) }),
  },
  { name: 'adam', build: () => tf.train.adam(1e-3, 0.9, 0.999, 1e-8) },
  {
    name: 'adabreg',
    baseline: 'adam',
    build: (model) => new AdaBreg({ learningRate: 1e-3, rules: l1(model) }),
  },
];
