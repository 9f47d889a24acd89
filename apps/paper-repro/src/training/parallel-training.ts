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
 * Whether a run given several threads trains data parallel (a replica of the model per
 * thread, {@link startParallelTraining}) rather than on the wasm backend's own threads (its
 * products and convolutions shared among them, `startWasmBackend({ threads })`), where the
 * backend has them (`kernelThreads` > 1). Measured (`pnpm bench`, wasm, AMD EPYC, 2 cores,
 * 2 threads, SGD): the convolutional models gain more from replicas — ConvNet at batch 128
 * 1.91× against 1.80× (2026-12-06), ResNet-18 at batch 16 1.74× against 1.71× — the MLPs from
 * the backend's threads: the MNIST MLP 784-200-80-10 at batch 128 1.72× (replicas: 1.52× by
 * the median, 1.20× by the mean; in a LinBreg run of the repro their fixed cost per step made
 * it 2× slower), the denoiser 1.83× (replicas: 1.18×). A run that cannot train data parallel
 * ({@link singleThreadReason}, or the sparse-aware step) uses the backend's threads in any
 * case.
 */
export function prefersDataParallel(spec: RunSpec, kernelThreads: number): boolean {
  return kernelThreads <= 1 || spec.model.kind === 'convNet' || spec.model.kind === 'resnet18';
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
