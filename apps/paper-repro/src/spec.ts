import type { RegularizerConfig } from '@bregman/core-prox';
import type { ModelInit } from '@bregman/models';

/** The run profiles: the paper's settings, a one-hour shrink of them, a minutes-long smoke test. */
export const PROFILES = ['smoke', 'quick', 'paper'] as const;

/** One of {@link PROFILES}. */
export type ProfileName = (typeof PROFILES)[number];

/** The datasets the experiments read. */
export type DatasetName = 'mnist' | 'fashion-mnist' | 'cifar10';

/** Which images a run trains, validates and tests on. */
export interface DataSpec {
  /** The dataset. */
  dataset: DatasetName;
  /** Images held out of the training set for validation (seeded split; MNIST: 5,000). */
  validationSize: number;
  /** Seed of the train / validation split (the same split for every run of an experiment). */
  splitSeed: number;
  /** Keep only the first this-many training images after the split (smoke profile). */
  trainLimit?: number;
  /** Keep only the first this-many validation images. */
  validationLimit?: number;
  /** Keep only the first this-many test images. */
  testLimit?: number;
  /** `x` as images `[b, h, w, c]` or flat vectors `[b, h·w·c]`. */
  layout: 'image' | 'flat';
}

/** A model builder of `@bregman/models` and its arguments. */
export type ModelSpec = { kind: 'mlp'; sizes: number[]; init: ModelInit };

/** An optimizer and its hyperparameters (τ is `learningRate`). */
export type OptimizerSpec =
  | { kind: 'sgd'; learningRate: number }
  | { kind: 'adam'; learningRate: number }
  | { kind: 'linbreg'; learningRate: number; momentum?: number; delta?: number }
  | { kind: 'adabreg'; learningRate: number; delta?: number }
  | { kind: 'proxgd'; learningRate: number };

/** Regularizers per layer kind (unmatched variables, e.g. biases, get none). */
export interface RegularizationSpec {
  /** On the kernels of Dense layers. */
  dense?: RegularizerConfig;
  /** On the kernels of Conv2D layers. */
  conv?: RegularizerConfig;
}

/** One training method of an experiment: a curve in its figure, a row in its table. */
export interface MethodSpec {
  /** Short id, used in run ids and file names: `[a-z0-9.-]+`. */
  id: string;
  /** Name in figures and tables, e.g. `LinBreg λ = 0.1`. */
  label: string;
  /** The optimizer. */
  optimizer: OptimizerSpec;
  /** The sparsity regularization (none: plain SGD / Adam). */
  regularization: RegularizationSpec;
}

/** Everything one run (experiment × method × seed) needs; JSON, so it can go to a worker. */
export interface RunSpec {
  /** The experiment's id, e.g. `fig2`. */
  experiment: string;
  /** The profile. */
  profile: ProfileName;
  /** `<method id>-s<seed>`: unique within the experiment. */
  runId: string;
  /** The method. */
  method: MethodSpec;
  /** Seed of the initialization and the batch order. */
  seed: number;
  /** The data. */
  data: DataSpec;
  /** The network. */
  model: ModelSpec;
  /** Loss: cross-entropy on logits. */
  loss: 'crossentropy';
  /** Epochs to train. */
  epochs: number;
  /** Batch size (the paper: 128). */
  batchSize: number;
  /** Learning-rate halving on a training-loss plateau (PyTorch's rule), or none. */
  plateau: { factor: number; patience: number; threshold: number } | null;
}
