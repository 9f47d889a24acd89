import { rmSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { getLearningRate, ReduceLROnPlateau } from '@bregman/optimizers';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { RunSpec } from '../spec.js';
import { buildModel, buildOptimizer, lambdaOf } from './build.js';
import { writeCheckpoint } from './checkpoint.js';
import { loadRunData, type RunData } from './data.js';
import { evaluate } from './evaluate.js';
import { finishRun, saveFirstConv } from './finish-run.js';
import { modelSparsity } from './model-sparsity.js';
import { startParallelTraining } from './parallel-training.js';
import {
  readWeights,
  restoreRunCheckpoint,
  saveRunCheckpoint,
  storedWeight,
  writeWeights,
} from './run-checkpoint.js';
import type { RunEvent } from './run-events.js';
import { runKey } from './run-key.js';
import { type EpochRecord, type RunRecord, writeRunRecord } from './run-record.js';
import { type Trainer, trainEpoch, trainerParts } from './train-epoch.js';

/** Where a run keeps its files. */
export interface RunPaths {
  /** The run record (JSON), rewritten after every epoch. */
  record: string;
  /** The resume checkpoint (model, optimizer, scheduler, best model), rewritten every epoch. */
  checkpoint: string;
  /** The kept model (best validation accuracy), written when the run is done. */
  model: string;
  /** A directory for the run's other files (Fig. 1 snapshots, Fig. 5 samples). */
  artifacts: string;
}

/** Options of {@link trainRun}. */
export interface TrainRunOptions {
  /** Continue from the checkpoint when there is one for this configuration. */
  resume: boolean;
  /** The backend's name, for the record. */
  backend: string;
  /** `--data-dir`. */
  dataDir?: string;
  /** Threads per run (`--threads`; 1 when absent): see `startParallelTraining`. */
  threads?: number;
  /** Stop (status stays `running`) after this epoch: for tests of `--resume`. */
  stopAfterEpoch?: number;
  /** Progress events. */
  onEvent?: (event: RunEvent) => void;
}

/** A run that stopped because the training loss became NaN or infinite. */
export class NonFiniteLossError extends Error {}

/**
 * Trains one run (experiment × method × seed) epoch by epoch: after each epoch it
 * evaluates on the validation and test sets, measures sparsity, steps the plateau
 * scheduler on the training loss, keeps the best model by validation accuracy (lowest
 * validation loss for a regression), writes a checkpoint and then the run record (both
 * atomically). With `resume` it continues from the checkpoint and ends with the same
 * numbers as an uninterrupted run. A non-finite training loss fails the run and keeps the
 * last good checkpoint. When training is done it runs the spec's `finish` analyses on the
 * kept model, writes the kept model and marks the record `done`.
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
  const trainer: Trainer = {
    model,
    optimizer: buildOptimizer(spec, model),
    ...trainerParts(spec, model),
  };
  const { optimizer, pruning } = trainer;
  const plateau = spec.plateau ? new ReduceLROnPlateau({ ...spec.plateau, optimizer }) : null;
  const outDir = dirname(dirname(dirname(paths.record)));
  const record: RunRecord = {
    format: 1,
    key,
    spec,
    status: 'running',
    backend: options.backend,
    data: { source: data.source, provenance: data.provenance },
    epochs: [],
    best: null,
    trainSeconds: 0,
    startedAt: new Date().toISOString(),
  };
  let best: Float32Array[] | null = null;
  let prunedTo = 1;
  const snapshots = new Set(spec.finish?.snapshotEpochs ?? []);
  try {
    if (options.resume) {
      const restored = await restoreRunCheckpoint(paths.checkpoint, key, trainer, plateau);
      if (restored) {
        Object.assign(record, restored.record);
        best = restored.best;
        prunedTo = Math.min(1, ...record.epochs.map((e) => pruning?.densityAt(e.epoch - 1) ?? 1));
      }
    }
    trainer.parallel = await startParallelTraining(spec, trainer, options.threads ?? 1);
    record.threads = trainer.parallel?.workers ?? 1;
    const fromEpoch = record.epochs.at(-1)?.epoch ?? 0;
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
      best = (await keepIfBest(spec, record, initial, model)) ?? best;
      if (snapshots.has(0)) await saveFirstConv(model, paths.artifacts, 0);
      emit({ type: 'epoch', runId: spec.runId, record: initial });
    }
    for (let epoch = fromEpoch + 1; epoch <= spec.epochs; epoch++) {
      if (options.stopAfterEpoch !== undefined && epoch > options.stopAfterEpoch) {
        emit({ type: 'end', runId: spec.runId, status: 'stopped' });
        return record;
      }
      const start = performance.now();
      const learningRate = getLearningRate(optimizer);
      const train = await trainEpoch(spec, trainer, data, epoch, emit);
      if (!Number.isFinite(train.loss)) {
        const kept =
          epoch > 1
            ? `the checkpoint of epoch ${epoch - 1} is kept`
            : 'no epoch had finished, so there is no checkpoint';
        throw new NonFiniteLossError(
          `training loss is ${train.loss} in epoch ${epoch} (learning rate ${learningRate}); ${kept}`,
        );
      }
      prunedTo = pruning?.densityAt(epoch - 1) ?? prunedTo;
      const entry = await epochRecord(spec, model, data, epoch, train, learningRate);
      plateau?.step(train.loss);
      entry.seconds = (performance.now() - start) / 1000;
      record.epochs.push(entry);
      record.trainSeconds += entry.seconds;
      best = (await keepIfBest(spec, record, entry, model)) ?? best;
      if (snapshots.has(epoch)) await saveFirstConv(model, paths.artifacts, epoch);
      await saveRunCheckpoint(
        paths.checkpoint,
        key,
        epoch,
        trainer,
        plateau,
        prunedTo,
        record,
        best,
      );
      writeRunRecord(paths.record, record);
      emit({ type: 'epoch', runId: spec.runId, record: entry });
    }
    if (best) writeWeights(model, best);
    const kept = await readWeights(model);
    writeCheckpoint(paths.model, {
      state: {
        runId: spec.runId,
        key,
        epoch: record.best?.epoch ?? 0,
        weightNames: model.weights.map((w) => w.originalName),
      },
      tensors: kept.map((values, i) => storedWeight(`model/${i}`, model, i, values)),
    });
    record.finish = await finishRun(spec, model, data, paths.artifacts, outDir);
    const snapshotFiles = [...snapshots]
      .sort((a, b) => a - b)
      .map((e) => `${paths.artifacts}/first-conv-e${e}.bin`);
    record.finish.artifacts.unshift(...snapshotFiles.map((f) => relative(outDir, f)));
    record.status = 'done';
    record.finishedAt = new Date().toISOString();
    writeRunRecord(paths.record, record);
    rmSync(paths.checkpoint, { force: true });
    emit({ type: 'end', runId: spec.runId, status: 'done' });
    return record;
  } catch (error) {
    record.status = 'failed';
    record.error = error instanceof Error ? error.message : String(error);
    try {
      writeRunRecord(paths.record, record);
    } catch (writeError) {
      // the disk may be what failed: the run's own error is what the user must see
      record.error += `; its failure record could not be written either (${String(writeError)})`;
      if (error instanceof Error) error.message = record.error;
    }
    emit({ type: 'end', runId: spec.runId, status: 'failed', message: record.error });
    throw error;
  } finally {
    await trainer.parallel?.dispose();
    pruning?.dispose();
    optimizer.dispose();
    model.dispose();
  }
}

/** Evaluates and measures the model after an epoch. */
async function epochRecord(
  spec: RunSpec,
  model: LayersModel,
  data: RunData,
  epoch: number,
  train: { loss: number; accuracy: number | null } | null,
  learningRate: number,
): Promise<EpochRecord> {
  const validation = await evaluate(model, data.validation, spec);
  const test = await evaluate(model, data.test, spec);
  const sparsity = await modelSparsity(model);
  return {
    epoch,
    trainLoss: train?.loss ?? null,
    trainAccuracy: train?.accuracy ?? null,
    validationLoss: validation.loss,
    validationAccuracy: validation.accuracy,
    testLoss: test.loss,
    testAccuracy: test.accuracy,
    ...sparsity,
    lambda: lambdaOf(spec.method),
    learningRate,
    seconds: 0,
  };
}

/**
 * Whether `entry` beats the kept model: higher validation accuracy, or lower loss for a
 * regression. The initialization (epoch 0) is kept only until a trained epoch exists, and a
 * pruning run keeps only models pruned to the target (from its last pruning epoch on).
 */
function isBetter(spec: RunSpec, entry: EpochRecord, best: RunRecord['best']): boolean {
  if (!best || best.epoch === 0) return true;
  if (spec.method.pruning && entry.epoch < spec.method.pruning.endEpoch) return true;
  return spec.loss === 'mse'
    ? entry.validationLoss < best.validationLoss
    : (entry.validationAccuracy ?? 0) > (best.validationAccuracy ?? 0);
}

/** Updates `record.best`; returns a copy of the weights when `entry` is the new best. */
async function keepIfBest(
  spec: RunSpec,
  record: RunRecord,
  entry: EpochRecord,
  model: LayersModel,
): Promise<Float32Array[] | null> {
  if (!isBetter(spec, entry, record.best)) return null;
  record.best = {
    epoch: entry.epoch,
    validationLoss: entry.validationLoss,
    validationAccuracy: entry.validationAccuracy,
    testAccuracy: entry.testAccuracy,
    trainAccuracy: entry.trainAccuracy,
    nTotal: entry.nTotal,
    nLinear: entry.nLinear,
    nConv: entry.nConv,
  };
  return readWeights(model);
}
