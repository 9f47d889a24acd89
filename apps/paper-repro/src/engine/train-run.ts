import { rmSync } from 'node:fs';
import { Batcher } from '@bregman/datasets';
import { measure } from '@bregman/metrics';
import {
  getLearningRate,
  type NamedTensor,
  ReduceLROnPlateau,
  type ReduceLROnPlateauState,
  renameOptimizerWeights,
  setLearningRate,
} from '@bregman/optimizers';
import * as tf from '@tensorflow/tfjs';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { RunSpec } from '../spec.js';
import { buildModel, buildOptimizer, lambdaOf } from './build.js';
import { readCheckpoint, type StoredTensor, writeCheckpoint } from './checkpoint.js';
import { loadRunData, type RunData } from './data.js';
import { countCorrect, crossEntropy, evaluate } from './evaluate.js';
import type { RunEvent } from './run-events.js';
import { runKey } from './run-key.js';
import { type EpochRecord, type RunRecord, writeRunRecord } from './run-record.js';

/** Where a run keeps its files. */
export interface RunPaths {
  /** The run record (JSON), rewritten after every epoch. */
  record: string;
  /** The resume checkpoint (model, optimizer, scheduler, best model), rewritten every epoch. */
  checkpoint: string;
  /** The kept model (best validation accuracy), written when the run is done. */
  model: string;
}

/** Options of {@link trainRun}. */
export interface TrainRunOptions {
  /** Continue from the checkpoint when there is one for this configuration. */
  resume: boolean;
  /** The backend's name, for the record. */
  backend: string;
  /** `--data-dir`. */
  dataDir?: string;
  /** Stop (status stays `running`) after this epoch: for tests of `--resume`. */
  stopAfterEpoch?: number;
  /** Progress events. */
  onEvent?: (event: RunEvent) => void;
}

/** A run that stopped because the training loss became NaN or infinite. */
export class NonFiniteLossError extends Error {}

interface CheckpointState {
  key: string;
  epoch: number;
  learningRate: number;
  plateau: ReduceLROnPlateauState | null;
  weightNames: string[];
  record: Pick<RunRecord, 'epochs' | 'best' | 'trainSeconds' | 'startedAt'>;
}

/**
 * Trains one run (experiment × method × seed) epoch by epoch: after each epoch it
 * evaluates on the validation and test sets, measures sparsity, steps the plateau
 * scheduler on the training loss, keeps the best model by validation accuracy, writes a
 * checkpoint and then the run record (both atomically). With `resume` it continues from
 * the checkpoint and ends with the same numbers as an uninterrupted run. A non-finite
 * training loss fails the run and keeps the last good checkpoint.
 */
export async function trainRun(
  spec: RunSpec,
  paths: RunPaths,
  options: TrainRunOptions,
): Promise<RunRecord> {
  const emit = options.onEvent ?? (() => {});
  const key = runKey(spec);
  const data = await loadRunData(spec.data, options.dataDir);
  const model = buildModel(spec, data.standardization);
  const optimizer = buildOptimizer(spec, model);
  const plateau = spec.plateau ? new ReduceLROnPlateau({ ...spec.plateau, optimizer }) : null;
  const record: RunRecord = {
    format: 1,
    key,
    spec,
    status: 'running',
    backend: options.backend,
    epochs: [],
    best: null,
    trainSeconds: 0,
    startedAt: new Date().toISOString(),
  };
  let best: Float32Array[] | null = null;
  try {
    if (options.resume) {
      const restored = await restore(paths.checkpoint, key, model, optimizer, plateau);
      if (restored) {
        Object.assign(record, restored.record);
        best = restored.best;
      }
    }
    const fromEpoch = record.epochs.length === 0 ? 0 : record.epochs.at(-1)!.epoch;
    emit({
      type: 'start',
      runId: spec.runId,
      experiment: spec.experiment,
      epochs: spec.epochs,
      fromEpoch,
    });
    if (record.epochs.length === 0) {
      const start = performance.now();
      const initial = await epochRecord(spec, model, data, 0, null, getLearningRate(optimizer));
      initial.seconds = (performance.now() - start) / 1000;
      record.epochs.push(initial);
      best = keepIfBest(record, initial, model) ?? best;
      emit({ type: 'epoch', runId: spec.runId, record: initial });
    }
    for (let epoch = fromEpoch + 1; epoch <= spec.epochs; epoch++) {
      if (options.stopAfterEpoch !== undefined && epoch > options.stopAfterEpoch) {
        emit({ type: 'end', runId: spec.runId, status: 'stopped' });
        return record;
      }
      const start = performance.now();
      const learningRate = getLearningRate(optimizer);
      const train = await trainEpoch(spec, model, optimizer, data, epoch, emit);
      if (!Number.isFinite(train.loss)) {
        throw new NonFiniteLossError(
          `training loss is ${train.loss} in epoch ${epoch} (learning rate ${learningRate}); the checkpoint of epoch ${epoch - 1} is kept`,
        );
      }
      const entry = await epochRecord(spec, model, data, epoch, train, learningRate);
      plateau?.step(train.loss);
      entry.seconds = (performance.now() - start) / 1000;
      record.epochs.push(entry);
      record.trainSeconds += entry.seconds;
      best = keepIfBest(record, entry, model) ?? best;
      await saveCheckpoint(paths.checkpoint, key, epoch, model, optimizer, plateau, record, best);
      writeRunRecord(paths.record, record);
      emit({ type: 'epoch', runId: spec.runId, record: entry });
    }
    writeCheckpoint(paths.model, {
      state: {
        runId: spec.runId,
        key,
        epoch: record.best?.epoch ?? 0,
        weightNames: model.weights.map((w) => w.originalName),
      },
      tensors: (best ?? readWeights(model)).map((values, i) =>
        stored(`model/${i}`, model, i, values),
      ),
    });
    record.status = 'done';
    record.finishedAt = new Date().toISOString();
    writeRunRecord(paths.record, record);
    rmSync(paths.checkpoint, { force: true });
    emit({ type: 'end', runId: spec.runId, status: 'done' });
    return record;
  } catch (error) {
    record.status = 'failed';
    record.error = error instanceof Error ? error.message : String(error);
    writeRunRecord(paths.record, record);
    emit({ type: 'end', runId: spec.runId, status: 'failed', message: record.error });
    throw error;
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

/** One epoch of training; returns the mean loss and the accuracy over its batches. */
async function trainEpoch(
  spec: RunSpec,
  model: LayersModel,
  optimizer: tf.Optimizer,
  data: RunData,
  epoch: number,
  emit: (event: RunEvent) => void,
): Promise<{ loss: number; accuracy: number }> {
  const batcher = new Batcher(data.train, {
    batchSize: spec.batchSize,
    seed: spec.seed,
    layout: spec.data.layout,
  });
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  let sums = tf.zeros([2]);
  let batch = 0;
  const every = Math.max(1, Math.floor(batcher.numBatches / 50));
  for (const { x, y } of batcher.batches(epoch - 1)) {
    const next = tf.tidy(() => {
      let correct: tf.Scalar | undefined;
      const loss = optimizer.minimize(
        () => {
          const logits = model.apply(x, { training: true }) as tf.Tensor;
          correct = tf.keep(countCorrect(logits, y));
          return crossEntropy(y, logits);
        },
        true,
        variables,
      ) as tf.Scalar;
      const step = tf.stack([loss.mul(x.shape[0]), correct!]);
      correct!.dispose();
      return sums.add(step);
    });
    tf.dispose([x, y, sums]);
    sums = next;
    batch++;
    if (batch % every === 0 || batch === batcher.numBatches) {
      emit({ type: 'batch', runId: spec.runId, epoch, batch, batches: batcher.numBatches });
    }
  }
  const [loss, correct] = await sums.data();
  sums.dispose();
  return { loss: loss! / data.train.count, accuracy: correct! / data.train.count };
}

/** Evaluates and measures the model after an epoch. */
async function epochRecord(
  spec: RunSpec,
  model: LayersModel,
  data: RunData,
  epoch: number,
  train: { loss: number; accuracy: number } | null,
  learningRate: number,
): Promise<EpochRecord> {
  const validation = await evaluate(model, data.validation, spec.data.layout);
  const test = await evaluate(model, data.test, spec.data.layout);
  const { sparsity, l1Norm } = await measure(model);
  const orNull = (x: number) => (Number.isNaN(x) ? null : x);
  return {
    epoch,
    trainLoss: train?.loss ?? null,
    trainAccuracy: train?.accuracy ?? null,
    validationLoss: validation.loss,
    validationAccuracy: validation.accuracy,
    testLoss: test.loss,
    testAccuracy: test.accuracy,
    nTotal: sparsity.total,
    nLinear: orNull(sparsity.linear),
    nConv: orNull(sparsity.convKernels),
    activeNeurons: sparsity.activeNeurons,
    l1Norm,
    lambda: lambdaOf(spec.method.regularization),
    learningRate,
    seconds: 0,
  };
}

/** Updates `record.best`; returns a copy of the weights when `entry` is the new best. */
function keepIfBest(record: RunRecord, entry: EpochRecord, model: LayersModel) {
  if (record.best && entry.validationAccuracy <= record.best.validationAccuracy) return null;
  record.best = {
    epoch: entry.epoch,
    validationAccuracy: entry.validationAccuracy,
    testAccuracy: entry.testAccuracy,
    trainAccuracy: entry.trainAccuracy,
    nTotal: entry.nTotal,
    nLinear: entry.nLinear,
    nConv: entry.nConv,
  };
  return readWeights(model);
}

function weightNames(model: LayersModel): string[] {
  return model.weights.map((w) => w.name);
}

function readWeights(model: LayersModel): Float32Array[] {
  return model.weights.map((w) => w.read().dataSync() as Float32Array).map((v) => v.slice());
}

function stored(name: string, model: LayersModel, i: number, values: Float32Array): StoredTensor {
  return { name, shape: model.weights[i]!.shape as number[], dtype: 'float32', values };
}

async function saveCheckpoint(
  path: string,
  key: string,
  epoch: number,
  model: LayersModel,
  optimizer: tf.Optimizer,
  plateau: ReduceLROnPlateau | null,
  record: RunRecord,
  best: Float32Array[] | null,
): Promise<void> {
  const tensors: StoredTensor[] = readWeights(model).map((v, i) =>
    stored(`model/${i}`, model, i, v),
  );
  if (best) tensors.push(...best.map((v, i) => stored(`best/${i}`, model, i, v)));
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
    weightNames: weightNames(model),
    record: {
      epochs: record.epochs,
      best: record.best,
      trainSeconds: record.trainSeconds,
      startedAt: record.startedAt,
    },
  };
  writeCheckpoint(path, { state, tensors });
}

/** Restores model, optimizer and scheduler from a checkpoint of the same configuration. */
async function restore(
  path: string,
  key: string,
  model: LayersModel,
  optimizer: tf.Optimizer,
  plateau: ReduceLROnPlateau | null,
): Promise<{ record: CheckpointState['record']; best: Float32Array[] | null } | undefined> {
  const checkpoint = readCheckpoint<CheckpointState>(path);
  if (!checkpoint) return undefined;
  const { state, tensors } = checkpoint;
  if (state.key !== key) {
    throw new Error(
      `checkpoint ${path} belongs to another configuration (key ${state.key}, this run ${key}); delete it to start over`,
    );
  }
  const names = weightNames(model);
  if (state.weightNames.length !== names.length) {
    throw new Error(
      `checkpoint ${path}: ${state.weightNames.length} weights saved, the model has ${names.length}`,
    );
  }
  const part = (prefix: string) => tensors.filter((t) => t.name.startsWith(prefix));
  tf.tidy(() => {
    model.setWeights(part('model/').map((t) => tf.tensor(t.values, t.shape, t.dtype)));
  });
  const rename = Object.fromEntries(state.weightNames.map((old, i) => [old, names[i]!]));
  const saved: NamedTensor[] = part('optimizer/').map((t) => ({
    name: t.name.slice('optimizer/'.length),
    tensor: tf.tensor(t.values, t.shape, t.dtype),
  }));
  await optimizer.setWeights(renameOptimizerWeights(saved, rename));
  tf.dispose(saved.map((s) => s.tensor));
  setLearningRate(optimizer, state.learningRate);
  if (plateau && state.plateau) plateau.setState(state.plateau);
  const best = part('best/').map((t) => t.values as Float32Array);
  return { record: state.record, best: best.length > 0 ? best : null };
}
