import { DataParallelTrainer } from '@bregman/runtime';
import * as tf from '@tensorflow/tfjs';
import type { RunSpec } from '../shared/spec.js';
import type { Trainer } from './train-epoch.js';

/**
 * Why a run trains on one thread although `--threads` gave it more, or null when it can use
 * them. The data-parallel trainer computes the gradient of the data loss alone and applies
 * the optimizer's step: a method that adds a penalty to the loss (SGD/Adam with lasso) or
 * masks weights after each step (pruning) is trained on one thread, as is a run on a
 * backend the worker threads do not run (tfjs-node uses every core by itself).
 */
export function singleThreadReason(spec: RunSpec): string | null {
  if (spec.method.penalty) return 'its method adds a penalty to the loss';
  if (spec.method.pruning) return 'its method prunes after every step';
  const backend = tf.getBackend();
  if (backend !== 'wasm' && backend !== 'cpu') return `the ${backend} backend`;
  return null;
}

/**
 * Whether a run's model is too small to gain from threads, so that the default split of
 * the cores (`--threads` not given) gives it none: an MLP under 1M weights. Measured (wasm,
 * AMD EPYC, 2 cores, LinBreg, batch 128): the MNIST MLP 784-200-80-10 (174k weights) took
 * 7.1 ms per step on one thread and 14.3 ms on two; the denoiser (3.1M weights) 134 and
 * 114 ms (1.18×). The threads' fixed cost per step (weights and gradients through shared
 * memory, messages) outweighs half of a short step. `--threads N` given by the user is
 * still used.
 */
export function tooSmallForThreads(spec: RunSpec): boolean {
  if (spec.model.kind !== 'mlp') return false;
  const { sizes } = spec.model;
  const weights = sizes.slice(1).reduce((n, width, i) => n + (sizes[i]! + 1) * width, 0);
  return weights < 1_000_000;
}

/** The packages whose classes (layers, optimizers) the threads must know to rebuild any run. */
export const PARALLEL_TRAINING_MODULES = [
  '@bregman/models',
  '@bregman/optimizers',
  '@bregman/baselines',
] as const;

/**
 * A data-parallel trainer on `threads` threads (the main one included) for the run's model
 * and optimizer, or null when `threads` is 1 or the run cannot use it
 * ({@link singleThreadReason}). The replicas take the model's and the optimizer's present
 * state (after a resume's restore, too); the caller disposes the trainer.
 */
export async function startParallelTraining(
  spec: RunSpec,
  trainer: Pick<Trainer, 'model' | 'optimizer'>,
  threads: number,
): Promise<DataParallelTrainer | null> {
  if (threads <= 1 || singleThreadReason(spec) !== null) return null;
  return DataParallelTrainer.create({
    model: trainer.model,
    optimizer: trainer.optimizer,
    loss: spec.loss === 'mse' ? 'meanSquaredError' : 'softmaxCrossEntropy',
    workers: threads,
    // the threads register the Standardize layer and rebuild LinBreg, AdaBreg and ProxGD
    modules: PARALLEL_TRAINING_MODULES.map((m) => import.meta.resolve(m)),
  });
}
