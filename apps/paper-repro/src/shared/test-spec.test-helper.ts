import type { MethodSpec, RunSpec } from './spec.js';

/** A tiny MNIST MLP run for tests: 512 training images, a 784-16-10 net. */
export function tinySpec(method: MethodSpec, overrides: Partial<RunSpec> = {}): RunSpec {
  return {
    experiment: 'test',
    profile: 'smoke',
    runId: `${method.id}-s1`,
    method,
    seed: 1,
    data: {
      dataset: 'mnist',
      validationSize: 500,
      splitSeed: 0,
      trainLimit: 512,
      validationLimit: 128,
      testLimit: 128,
      layout: 'flat',
    },
    model: {
      kind: 'mlp',
      sizes: [784, 16, 10],
      init: { density: 0.2, variance: 'he', gain: 0.7 },
    },
    loss: 'crossentropy',
    epochs: 3,
    batchSize: 64,
    // patience 0 with a large threshold: the learning rate is halved at every epoch, so a
    // resumed run must restore the scheduler to match
    plateau: { factor: 0.5, patience: 0, threshold: 0.5 },
    ...overrides,
  };
}

/** LinBreg with momentum: θ, v and m must all come back from a checkpoint. */
export const LINBREG_MOMENTUM: MethodSpec = {
  id: 'linbreg-m',
  label: 'LinBreg β = 0.9',
  optimizer: { kind: 'linbreg', learningRate: 0.1, momentum: 0.9 },
  regularization: { dense: { type: 'L1', lambda: 0.01 } },
};

/**
 * Lasso by SGD (a penalty in the loss) with magnitude pruning to 30% by the end of `endEpoch`,
 * thresholded to 10%: the pruning masks must come back from a checkpoint too.
 */
export function prunedLasso(endEpoch: number): MethodSpec {
  return {
    id: 'pruned-lasso',
    label: 'SGD + penalty + pruning',
    optimizer: { kind: 'sgd', learningRate: 0.1 },
    regularization: {},
    penalty: { dense: { type: 'L1', lambda: 1e-3 } },
    pruning: { targetDensity: 0.3, endEpoch },
    threshold: { density: 0.1 },
  };
}

/** LinBreg with neuron groups on a net that starts with 10% of its hidden neurons. */
export const LINBREG_NEURONS: MethodSpec = {
  id: 'linbreg-neurons',
  label: 'LinBreg, neuron groups',
  optimizer: { kind: 'linbreg', learningRate: 0.1 },
  regularization: { dense: { type: 'GroupL12', lambda: 0.02, reduceAxes: [0] } },
  init: { density: 0.1, groups: { dense: 'neuron' }, variance: 'he', gain: 0.7 },
};

/**
 * A run that `--sparse-aware` trains on the live units: {@link LINBREG_NEURONS} on a
 * 784-64-10 MLP in batches of 256 (on an MLP the live step pays only with large batches: its
 * work per step outside the products counts against them, see `ANALYSIS_COST_PER_WEIGHT`);
 * output neurons are born in its third epoch.
 */
export function sparseAwareSpec(overrides: Partial<RunSpec> = {}): RunSpec {
  return tinySpec(LINBREG_NEURONS, {
    model: { kind: 'mlp', sizes: [784, 64, 10], init: { density: 1 } },
    batchSize: 256,
    data: { ...tinySpec(LINBREG_NEURONS).data, trainLimit: 1024 },
    ...overrides,
  });
}
