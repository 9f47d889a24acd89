import {
  getLearningRate,
  type NamedTensor,
  type ReduceLROnPlateau,
  type ReduceLROnPlateauState,
  renameOptimizerWeights,
  setLearningRate,
} from '@bregman/optimizers';
import * as tf from '@tensorflow/tfjs';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import {
  type Checkpoint,
  CorruptCheckpointError,
  readCheckpoint,
  type StoredTensor,
  writeCheckpoint,
} from '../storage/checkpoint.js';
import type { RunRecord } from '../storage/run-record.js';
import type { Trainer } from './train-epoch.js';

/** The JSON part of a run's resume checkpoint. */
interface CheckpointState {
  key: string;
  epoch: number;
  learningRate: number;
  plateau: ReduceLROnPlateauState | null;
  /** The density pruned to so far (1: not yet). */
  prunedTo: number;
  weightNames: string[];
  record: Pick<RunRecord, 'epochs' | 'best' | 'trainSeconds' | 'startedAt'>;
}

/** What a checkpoint gives back besides the model and optimizer state. */
export interface Restored {
  /** The record as of the checkpoint's epoch. */
  record: CheckpointState['record'];
  /** The kept model's weights (best validation), if any. */
  best: Float32Array[] | null;
}

/**
 * Copies of a model's weight values, in `model.weights` order, read asynchronously (the
 * `webgpu` backend has no synchronous read in Node).
 */
export async function readWeights(model: LayersModel): Promise<Float32Array[]> {
  return Promise.all(
    model.weights.map(async (w) => ((await w.read().data()) as Float32Array).slice()),
  );
}

/** Sets a model's weights from values in `model.weights` order. */
export function writeWeights(model: LayersModel, values: readonly Float32Array[]): void {
  tf.tidy(() =>
    model.setWeights(values.map((v, i) => tf.tensor(v, model.weights[i]!.shape as number[]))),
  );
}

/** A model weight as a stored tensor. */
export function storedWeight(
  name: string,
  model: LayersModel,
  i: number,
  values: Float32Array,
): StoredTensor {
  return { name, shape: model.weights[i]!.shape as number[], dtype: 'float32', values };
}

/**
 * Writes the resume checkpoint of a run after `epoch`: model weights, optimizer state
 * (by variable name), learning rate, plateau scheduler, pruning density, the kept model and
 * the record so far. Atomic (temp file + rename).
 */
export async function saveRunCheckpoint(
  path: string,
  key: string,
  epoch: number,
  trainer: Trainer,
  plateau: ReduceLROnPlateau | null,
  prunedTo: number,
  record: RunRecord,
  best: Float32Array[] | null,
): Promise<void> {
  const { model, optimizer } = trainer;
  const weights = await readWeights(model);
  const tensors = weights.map((v, i) => storedWeight(`model/${i}`, model, i, v));
  if (best) tensors.push(...best.map((v, i) => storedWeight(`best/${i}`, model, i, v)));
  for (const { name, tensor } of await optimizer.getWeights()) {
    const dtype = tensor.dtype === 'int32' ? 'int32' : 'float32';
    const values = (await tensor.data()) as Float32Array | Int32Array;
    tensors.push({ name: `optimizer/${name}`, shape: tensor.shape, dtype, values: values.slice() });
    // the optimizer's state variables are its own; the iteration count is a new scalar
    if (!(tensor instanceof tf.Variable)) tensor.dispose();
  }
  const state: CheckpointState = {
    key,
    epoch,
    learningRate: getLearningRate(optimizer),
    plateau: plateau?.getState() ?? null,
    prunedTo,
    weightNames: model.weights.map((w) => w.name),
    record: {
      epochs: record.epochs,
      best: record.best,
      trainSeconds: record.trainSeconds,
      startedAt: record.startedAt,
    },
  };
  writeCheckpoint(path, { state, tensors });
}

/**
 * Restores a run from its checkpoint: model, optimizer (its state renamed to this
 * process's variable names), learning rate, scheduler and pruning masks. `undefined` when
 * there is no checkpoint; an error when it belongs to another configuration.
 */
export async function restoreRunCheckpoint(
  path: string,
  key: string,
  trainer: Trainer,
  plateau: ReduceLROnPlateau | null,
): Promise<Restored | undefined> {
  let checkpoint: Checkpoint<CheckpointState> | undefined;
  try {
    checkpoint = readCheckpoint<CheckpointState>(path);
  } catch (error) {
    if (!(error instanceof CorruptCheckpointError)) throw error;
    throw new CorruptCheckpointError(
      path,
      `${error.reason}; delete it to train this run again from the start`,
      { cause: error },
    );
  }
  if (!checkpoint) return undefined;
  const { state, tensors } = checkpoint;
  const { model, optimizer, pruning } = trainer;
  if (state.key !== key) {
    throw new Error(
      `checkpoint ${path} belongs to another configuration (key ${state.key}, this run ${key}); delete it to start over`,
    );
  }
  const names = model.weights.map((w) => w.name);
  if (state.weightNames.length !== names.length) {
    throw new Error(
      `checkpoint ${path}: ${state.weightNames.length} weights saved, the model has ${names.length}`,
    );
  }
  const part = (prefix: string) => tensors.filter((t) => t.name.startsWith(prefix));
  writeWeights(
    model,
    part('model/').map((t) => t.values as Float32Array),
  );
  const rename = Object.fromEntries(state.weightNames.map((old, i) => [old, names[i]!]));
  const saved: NamedTensor[] = part('optimizer/').map((t) => ({
    name: t.name.slice('optimizer/'.length),
    tensor: tf.tensor(t.values, t.shape, t.dtype),
  }));
  await optimizer.setWeights(renameOptimizerWeights(saved, rename));
  tf.dispose(saved.map((s) => s.tensor));
  setLearningRate(optimizer, state.learningRate);
  if (plateau && state.plateau) plateau.setState(state.plateau);
  // pruned weights are exactly zero, so pruning to the same density finds the same masks
  if (pruning && state.prunedTo < 1) pruning.prune(state.prunedTo);
  const best = part('best/').map((t) => t.values as Float32Array);
  return { record: state.record, best: best.length > 0 ? best : null };
}
