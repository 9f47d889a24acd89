import type { LayersModel } from '@tensorflow/tfjs';
import type { Batch } from './batch.js';
import type { DataParallelTrainer, StepLogs } from './trainer.js';

/**
 * The batches of one epoch: an array (or any iterable that starts over when iterated again),
 * an async iterable, or a function that returns the batches of epoch `epoch` (for generators,
 * which run only once).
 */
export type Batches =
  | Iterable<Batch>
  | AsyncIterable<Batch>
  | ((epoch: number) => Iterable<Batch> | AsyncIterable<Batch>);

/**
 * A tfjs-style training callback: a `tf.Callback` (e.g. `SparsityLogger` of
 * `@bregman/metrics`, `ReduceLROnPlateau` of `@bregman/optimizers` given its `optimizer`) or a
 * plain object with some of these methods. `logs` are the ones `model.fit` gives: `batch` and
 * `size` for batches; `loss` and, for classification losses, `acc` (epoch logs: means over the
 * epoch's samples). Keys a callback adds to the epoch logs go into the history.
 */
export interface TrainerCallback {
  /** Called first with the trained model (`tf.Callback` keeps it as `this.model`). */
  setModel?(model: LayersModel): void;
  /** Called first with `{epochs, initialEpoch, verbose: 0, doValidation: false, metrics}`. */
  setParams?(params: Record<string, number | string | boolean | string[]>): void;
  /** Before the first epoch. */
  onTrainBegin?(logs?: Record<string, number>): void | Promise<void>;
  /** After the last epoch (or after a callback set `model.stopTraining`). */
  onTrainEnd?(logs?: Record<string, number>): void | Promise<void>;
  /** Before each epoch. */
  onEpochBegin?(epoch: number, logs?: Record<string, number>): void | Promise<void>;
  /** After each epoch, with the epoch's logs (the model already updated). */
  onEpochEnd?(epoch: number, logs?: Record<string, number>): void | Promise<void>;
  /** Before each batch. */
  onBatchBegin?(batch: number, logs?: Record<string, number>): void | Promise<void>;
  /** After each batch, with its logs (the model already updated). */
  onBatchEnd?(batch: number, logs?: Record<string, number>): void | Promise<void>;
}

/** Options of {@link DataParallelTrainer.fit}. */
export interface FitOptions {
  /** The index one past the last epoch (an integer ≥ 1; default 1). */
  epochs?: number;
  /** The first epoch's index, to resume (an integer in `[0, epochs)`; default 0). */
  initialEpoch?: number;
  /** Called in order, as by `model.fit`. */
  callbacks?: TrainerCallback[];
}

/** What {@link DataParallelTrainer.fit} resolves with, shaped like tfjs's `History`. */
export interface DataParallelHistory {
  /** The epochs run. */
  epoch: number[];
  /** Each epoch log key (`loss`, `acc`, and what callbacks added) and its value per epoch. */
  history: Record<string, number[]>;
}

/**
 * The epoch loop of {@link DataParallelTrainer.fit}: for each epoch, a step per batch, the
 * callbacks around them, the epoch logs as the sample-weighted means of the batch logs. It
 * stops after the batch or epoch in which a callback sets `model.stopTraining = true`
 * (tfjs's `EarlyStopping` does). A non-finite loss stops it with an error.
 */
export async function fitEpochs(
  trainer: DataParallelTrainer,
  batches: Batches,
  options: FitOptions,
): Promise<DataParallelHistory> {
  const { epochs = 1, initialEpoch = 0, callbacks = [] } = checkFitOptions(options);
  const model = trainer.model;
  const metrics = trainer.loss === 'meanSquaredError' ? ['loss'] : ['loss', 'acc'];
  for (const callback of callbacks) {
    callback.setModel?.(model);
    callback.setParams?.({ epochs, initialEpoch, verbose: 0, doValidation: false, metrics });
  }
  resetStopTraining(model);
  const result: DataParallelHistory = { epoch: [], history: {} };
  for (const c of callbacks) await c.onTrainBegin?.({});
  for (let epoch = initialEpoch; epoch < epochs; epoch++) {
    for (const c of callbacks) await c.onEpochBegin?.(epoch, {});
    const sums: Record<string, number> = {};
    let samples = 0;
    let batch = 0;
    for await (const { x, y } of epochBatches(batches, epoch)) {
      const size = sizeOf(x);
      for (const c of callbacks) await c.onBatchBegin?.(batch, { batch, size });
      const logs: StepLogs = await trainer.step(x, y);
      if (!Number.isFinite(logs.loss)) {
        throw new Error(
          `DataParallelTrainer.fit: the loss is ${logs.loss} in epoch ${epoch}, batch ${batch}`,
        );
      }
      for (const [key, value] of Object.entries(logs)) sums[key] = (sums[key] ?? 0) + value * size;
      samples += size;
      for (const c of callbacks) await c.onBatchEnd?.(batch, { batch, size, ...logs });
      batch++;
      if (model.stopTraining) break;
    }
    if (batch === 0) {
      throw new Error(
        `DataParallelTrainer.fit: epoch ${epoch} got no batch (a generator runs only once: pass an array, or a function (epoch) => batches)`,
      );
    }
    const logs: Record<string, number> = {};
    for (const [key, sum] of Object.entries(sums)) logs[key] = sum / samples;
    for (const c of callbacks) await c.onEpochEnd?.(epoch, logs);
    result.epoch.push(epoch);
    for (const [key, value] of Object.entries(logs)) {
      if (typeof value !== 'number') continue;
      result.history[key] ??= [];
      result.history[key].push(value);
    }
    if (model.stopTraining) break;
  }
  for (const c of callbacks) await c.onTrainEnd?.({});
  return result;
}

/**
 * `model.stopTraining = false`. A Sequential model has the flag only once built (tfjs builds
 * it in `compile`, `apply`, `predict`): it is built first when needed.
 */
function resetStopTraining(model: LayersModel): void {
  try {
    model.stopTraining = false;
  } catch {
    (model as unknown as { build(): void }).build();
    model.stopTraining = false;
  }
}

function epochBatches(batches: Batches, epoch: number): Iterable<Batch> | AsyncIterable<Batch> {
  const source = typeof batches === 'function' ? batches(epoch) : batches;
  if (
    source == null ||
    (typeof (source as Iterable<Batch>)[Symbol.iterator] !== 'function' &&
      typeof (source as AsyncIterable<Batch>)[Symbol.asyncIterator] !== 'function')
  ) {
    throw new TypeError(
      'DataParallelTrainer.fit: batches must be an iterable (e.g. an array) of {x, y}, an async iterable, or a function (epoch) => batches',
    );
  }
  return source;
}

function sizeOf(x: Batch['x']): number {
  return (x as { shape?: number[] } | undefined)?.shape?.[0] ?? 0;
}

function checkFitOptions(options: FitOptions): FitOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      'DataParallelTrainer.fit: options must be an object {epochs?, initialEpoch?, callbacks?}',
    );
  }
  const { epochs = 1, initialEpoch = 0, callbacks = [] } = options;
  if (!Number.isInteger(epochs) || epochs < 1) {
    throw new RangeError(
      `DataParallelTrainer.fit: epochs must be an integer ≥ 1, got ${String(epochs)}`,
    );
  }
  if (!Number.isInteger(initialEpoch) || initialEpoch < 0 || initialEpoch >= epochs) {
    throw new RangeError(
      `DataParallelTrainer.fit: initialEpoch must be an integer in [0, epochs), got ${String(initialEpoch)}`,
    );
  }
  if (!Array.isArray(callbacks)) {
    throw new TypeError('DataParallelTrainer.fit: callbacks must be an array');
  }
  return { epochs, initialEpoch, callbacks };
}
