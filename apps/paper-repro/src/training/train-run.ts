import { rmSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { getLearningRate, ReduceLROnPlateau } from '@bregman/optimizers';
import { setWasmThreadsEnabled, wasmKernelThreads } from '@bregman/runtime';
import { loadRunData, portableDataSource, type RunData } from '../data/run-data.js';
import type { RunSpec } from '../shared/spec.js';
import { writeCheckpoint } from '../storage/checkpoint.js';
import type { RunPaths } from '../storage/plan.js';
import { runKey } from '../storage/run-key.js';
import { type EpochRecord, type RunRecord, writeRunRecord } from '../storage/run-record.js';
import { buildModel, buildOptimizer } from './build.js';
import { epochRecord, keepIfBest } from './epoch-record.js';
import { finishRun, saveFirstConv } from './finish-run.js';
import { prefersDataParallel, startParallelTraining } from './parallel-training.js';
import {
  readWeights,
  restoreRunCheckpoint,
  saveRunCheckpoint,
  storedWeight,
  writeWeights,
} from './run-checkpoint.js';
import type { RunEvent } from './run-events.js';
import { startSparseAwareStep } from './sparse-aware-training.js';
import { type Trainer, trainEpoch, trainerParts } from './train-epoch.js';

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
  /**
   * `--sparse-aware`: compute each step on the live units where the run allows it (see
   * `startSparseAwareStep`); such a run trains on one thread.
   */
  sparseAware?: boolean;
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
  const run = await setUpRun(spec, paths, options);
  try {
    if (options.resume) await resumeFromCheckpoint(run);
    const fromEpoch = await startTraining(run, options.threads ?? 1, options.sparseAware ?? false);
    if (run.record.epochs.length === 0) await recordInitialization(run);
    for (let epoch = fromEpoch + 1; epoch <= spec.epochs; epoch++) {
      if (options.stopAfterEpoch !== undefined && epoch > options.stopAfterEpoch) {
        run.emit({ type: 'end', runId: spec.runId, status: 'stopped' });
        return run.record;
      }
      await trainAndRecordEpoch(run, epoch);
    }
    await saveKeptModel(run);
    await completeRun(run);
    return run.record;
  } catch (error) {
    recordFailure(run, error);
    throw error;
  } finally {
    await disposeRun(run);
  }
}

/** A run in training: what it trains with and what it has recorded so far. */
interface ActiveRun {
  /** The run's spec. */
  spec: RunSpec;
  /** Its files. */
  paths: RunPaths;
  /** Its configuration hash ({@link runKey}). */
  key: string;
  /** Its data. */
  data: RunData;
  /** The model, optimizer, penalties and pruning (and threads) it trains with. */
  trainer: Trainer;
  /** The learning-rate plateau scheduler, if the spec has one. */
  plateau: ReduceLROnPlateau | null;
  /** The run record, rewritten after every epoch. */
  record: RunRecord;
  /** The kept model's weights (best validation so far), or null while none is kept. */
  best: Float32Array[] | null;
  /** The density pruned to so far (1: not yet). */
  prunedTo: number;
  /** The epochs after which the first conv layer is saved (Fig. 1). */
  snapshots: Set<number>;
  /** Sends a progress event. */
  emit: (event: RunEvent) => void;
}

/** Loads the run's data, builds its model, optimizer and scheduler, and starts its record. */
async function setUpRun(
  spec: RunSpec,
  paths: RunPaths,
  options: TrainRunOptions,
): Promise<ActiveRun> {
  const emit = options.onEvent ?? (() => {});
  const key = runKey(spec);
  const data = await loadRunData(spec.data, options.dataDir);
  const model = buildModel(spec, data.standardization);
  const trainer: Trainer = {
    model,
    optimizer: buildOptimizer(spec, model),
    ...trainerParts(spec, model),
  };
  const plateau = spec.plateau
    ? new ReduceLROnPlateau({ ...spec.plateau, optimizer: trainer.optimizer })
    : null;
  const record: RunRecord = {
    format: 1,
    key,
    spec,
    status: 'running',
    backend: options.backend,
    data: { source: portableDataSource(data.source), provenance: data.provenance },
    epochs: [],
    best: null,
    trainSeconds: 0,
    startedAt: new Date().toISOString(),
  };
  const snapshots = new Set(spec.finish?.snapshotEpochs ?? []);
  return {
    spec,
    paths,
    key,
    data,
    trainer,
    plateau,
    record,
    best: null,
    prunedTo: 1,
    snapshots,
    emit,
  };
}

/** Restores model, optimizer, scheduler, record and kept weights from a checkpoint, if any. */
async function resumeFromCheckpoint(run: ActiveRun): Promise<void> {
  const { trainer, record } = run;
  const restored = await restoreRunCheckpoint(run.paths.checkpoint, run.key, trainer, run.plateau);
  if (!restored) return;
  Object.assign(record, restored.record);
  run.best = restored.best;
  run.prunedTo = Math.min(
    1,
    ...record.epochs.map((e) => trainer.pruning?.densityAt(e.epoch - 1) ?? 1),
  );
}

/**
 * Starts the run's sparse-aware step (`--sparse-aware`) or else its data-parallel threads
 * (`--threads`), where its method and model call for them ({@link prefersDataParallel}), and
 * says that the run starts; returns the last epoch already done (0 for a fresh run). A run
 * without replicas computes on the wasm backend's own threads, if it has any; a run with
 * replicas leaves them asleep (the replicas take the cores).
 */
async function startTraining(
  run: ActiveRun,
  threads: number,
  sparseAware: boolean,
): Promise<number> {
  const { spec, trainer, record } = run;
  trainer.sparseAware = startSparseAwareStep(spec, trainer.model, sparseAware);
  if (trainer.sparseAware) record.sparseAware = true;
  else if (prefersDataParallel(spec, wasmKernelThreads())) {
    trainer.parallel = await startParallelTraining(spec, trainer, threads);
  }
  const kernelThreads =
    trainer.parallel || threads <= 1 ? 1 : Math.min(threads, wasmKernelThreads());
  setWasmThreadsEnabled(kernelThreads > 1);
  record.threads = trainer.parallel?.workers ?? kernelThreads;
  const fromEpoch = record.epochs.at(-1)?.epoch ?? 0;
  run.emit({
    type: 'start',
    runId: spec.runId,
    experiment: spec.experiment,
    epochs: spec.epochs,
    fromEpoch,
  });
  return fromEpoch;
}

/** Measures the untrained model as epoch 0. */
async function recordInitialization(run: ActiveRun): Promise<void> {
  const { spec, trainer } = run;
  const start = performance.now();
  const initial = await epochRecord(
    spec,
    trainer.model,
    run.data,
    0,
    null,
    getLearningRate(trainer.optimizer),
    trainer.sparseAware != null,
  );
  initial.seconds = (performance.now() - start) / 1000;
  await addEpoch(run, initial);
  run.emit({ type: 'epoch', runId: spec.runId, record: initial });
}

/**
 * Trains one epoch and measures it, steps the plateau scheduler, then writes the
 * checkpoint and the record. A non-finite training loss throws {@link NonFiniteLossError}
 * before anything of the epoch is kept.
 */
async function trainAndRecordEpoch(run: ActiveRun, epoch: number): Promise<void> {
  const { spec, trainer, data, record } = run;
  const start = performance.now();
  const learningRate = getLearningRate(trainer.optimizer);
  const train = await trainEpoch(spec, trainer, data, epoch, run.emit);
  if (!Number.isFinite(train.loss)) throw nonFiniteLoss(train.loss, epoch, learningRate);
  run.prunedTo = trainer.pruning?.densityAt(epoch - 1) ?? run.prunedTo;
  const entry = await epochRecord(
    spec,
    trainer.model,
    data,
    epoch,
    train,
    learningRate,
    trainer.sparseAware != null,
  );
  run.plateau?.step(train.loss);
  if (train.sparseSteps !== undefined) entry.sparseSteps = train.sparseSteps;
  entry.seconds = (performance.now() - start) / 1000;
  record.trainSeconds += entry.seconds;
  await addEpoch(run, entry);
  await saveRunCheckpoint(
    run.paths.checkpoint,
    run.key,
    epoch,
    trainer,
    run.plateau,
    run.prunedTo,
    record,
    run.best,
  );
  writeRunRecord(run.paths.record, record);
  run.emit({ type: 'epoch', runId: spec.runId, record: entry });
}

/** The error of a training loss that is NaN or infinite, saying which checkpoint is kept. */
function nonFiniteLoss(loss: number, epoch: number, learningRate: number): NonFiniteLossError {
  const kept =
    epoch > 1
      ? `the checkpoint of epoch ${epoch - 1} is kept`
      : 'no epoch had finished, so there is no checkpoint';
  return new NonFiniteLossError(
    `training loss is ${loss} in epoch ${epoch} (learning rate ${learningRate}); ${kept}`,
  );
}

/**
 * Adds an epoch to the record, keeps the model's weights when it is the best so far, and
 * saves the first conv layer when the epoch is one of the spec's snapshots.
 */
async function addEpoch(run: ActiveRun, entry: EpochRecord): Promise<void> {
  const { model } = run.trainer;
  run.record.epochs.push(entry);
  run.best = (await keepIfBest(run.spec, run.record, entry, model)) ?? run.best;
  if (run.snapshots.has(entry.epoch)) await saveFirstConv(model, run.paths.artifacts, entry.epoch);
}

/** Puts the kept weights (best validation) into the model and writes it to `paths.model`. */
async function saveKeptModel(run: ActiveRun): Promise<void> {
  const { model } = run.trainer;
  if (run.best) writeWeights(model, run.best);
  const kept = await readWeights(model);
  writeCheckpoint(run.paths.model, {
    state: {
      runId: run.spec.runId,
      key: run.key,
      epoch: run.record.best?.epoch ?? 0,
      weightNames: model.weights.map((w) => w.originalName),
    },
    tensors: kept.map((values, i) => storedWeight(`model/${i}`, model, i, values)),
  });
}

/**
 * Runs the spec's `finish` analyses on the kept model, lists the run's files in the record,
 * marks it `done` and removes the resume checkpoint.
 */
async function completeRun(run: ActiveRun): Promise<void> {
  const { spec, paths, record } = run;
  const outDir = dirname(dirname(dirname(paths.record)));
  record.finish = await finishRun(spec, run.trainer.model, run.data, paths.artifacts, outDir);
  const snapshotFiles = [...run.snapshots]
    .sort((a, b) => a - b)
    .map((e) => `${paths.artifacts}/first-conv-e${e}.bin`);
  record.finish.artifacts.unshift(...snapshotFiles.map((f) => relative(outDir, f)));
  record.status = 'done';
  record.finishedAt = new Date().toISOString();
  writeRunRecord(paths.record, record);
  rmSync(paths.checkpoint, { force: true });
  run.emit({ type: 'end', runId: spec.runId, status: 'done' });
}

/** Marks the record `failed` with the error's message, writes it if it can, and says so. */
function recordFailure(run: ActiveRun, error: unknown): void {
  const { record } = run;
  record.status = 'failed';
  record.error = error instanceof Error ? error.message : String(error);
  try {
    writeRunRecord(run.paths.record, record);
  } catch (writeError) {
    // the disk may be what failed: the run's own error is what the user must see
    record.error += `; its failure record could not be written either (${String(writeError)})`;
    if (error instanceof Error) error.message = record.error;
  }
  run.emit({ type: 'end', runId: run.spec.runId, status: 'failed', message: record.error });
}

/** Frees the run's threads, pruning, optimizer and model. */
async function disposeRun({ trainer }: ActiveRun): Promise<void> {
  await trainer.parallel?.dispose();
  setWasmThreadsEnabled(true);
  trainer.pruning?.dispose();
  trainer.optimizer.dispose();
  trainer.model.dispose();
}
