import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LayersModel } from '@tensorflow/tfjs';
import type * as tf from '@tensorflow/tfjs-core';
import { checkLoss, type DataParallelLoss } from './losses.js';

/** Options of {@link DataParallelTrainer.create}. */
export interface DataParallelOptions {
  /**
   * The model to train: built (its weights exist), one input, one output. It stays on the
   * main thread and is the one trained (the source of truth); every worker thread builds a
   * replica from `model.toJSON()` and loads its weights at the start of every step.
   */
  model: LayersModel;
  /**
   * Any tfjs optimizer (`tf.train.sgd`, `tf.train.adam`, `LinBreg`, `AdaBreg`, …). It runs on
   * the main thread only: one `applyGradients` per step with the whole batch's gradient.
   */
  optimizer: tf.Optimizer;
  /** The loss, by name: one of {@link DATA_PARALLEL_LOSSES} (a function cannot be sent to a thread). */
  loss: DataParallelLoss;
  /**
   * How many threads compute, the main thread included: the main thread computes one shard
   * itself (and the optimizer step), `workers − 1` worker threads compute the others. An
   * integer ≥ 1; default `os.availableParallelism()` (every core). `1` trains on the main
   * thread alone, with no worker thread.
   */
  workers?: number;
  /**
   * The backend of the worker threads: `wasm` (default; started by {@link startWasmBackend},
   * with this package's training kernels) or `cpu`. The main thread computes its shard on its
   * own active backend: use the same one there (e.g. through {@link useBestBackend}) for
   * the same arithmetic in every shard.
   */
  backend?: 'wasm' | 'cpu';
  /**
   * Modules every worker thread imports before it builds its replica, e.g. the module that
   * registers a custom layer (`tf.serialization.registerClass`). File URLs, absolute paths and
   * paths relative to the current directory (`./…`, `../…`) name files; other specifiers are
   * resolved from this package's location. They must load `@tensorflow/tfjs` from the same
   * installation as this package.
   */
  modules?: string[];
}

/** {@link DataParallelOptions} checked, with the defaults filled in. */
export interface CheckedOptions {
  model: LayersModel;
  optimizer: tf.Optimizer;
  loss: DataParallelLoss;
  workers: number;
  backend: 'wasm' | 'cpu';
  modules: string[];
}

const NAME = 'DataParallelTrainer.create';

/** Checks every option; an error names the option and what is allowed. */
export function checkOptions(options: unknown): CheckedOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(
      `${NAME}: options must be an object {model, optimizer, loss, workers?, backend?, modules?}, got ${String(options)}`,
    );
  }
  const o = options as Partial<DataParallelOptions>;
  const model = checkModel(o.model);
  const optimizer = o.optimizer;
  if (typeof (optimizer as tf.Optimizer | undefined)?.applyGradients !== 'function') {
    throw new TypeError(
      `${NAME}: optimizer must be a tf.Optimizer (tf.train.sgd(…), LinBreg, AdaBreg, …), got ${String(optimizer)}`,
    );
  }
  const loss = checkLoss(`${NAME}: loss`, o.loss);
  const workers = o.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) {
    throw new RangeError(`${NAME}: workers must be an integer ≥ 1, got ${String(o.workers)}`);
  }
  const backend = o.backend ?? 'wasm';
  if (backend !== 'wasm' && backend !== 'cpu') {
    throw new RangeError(`${NAME}: backend must be 'wasm' or 'cpu', got ${String(o.backend)}`);
  }
  const modules = o.modules ?? [];
  if (!Array.isArray(modules) || !modules.every((m) => typeof m === 'string' && m !== '')) {
    throw new TypeError(`${NAME}: modules must be an array of module specifiers (strings)`);
  }
  return {
    model,
    optimizer: optimizer as tf.Optimizer,
    loss,
    workers,
    backend,
    modules: modules.map(moduleUrl),
  };
}

function checkModel(model: unknown): LayersModel {
  const m = model as Partial<LayersModel> | undefined;
  if (
    typeof m?.toJSON !== 'function' ||
    typeof m.apply !== 'function' ||
    !Array.isArray(m.trainableWeights)
  ) {
    throw new TypeError(`${NAME}: model must be a tf.LayersModel, got ${String(model)}`);
  }
  if (m.trainableWeights.length === 0) {
    throw new RangeError(
      `${NAME}: model has no trainable weights (build it first, e.g. give its first layer an inputShape)`,
    );
  }
  if (m.inputs?.length !== 1 || m.outputs?.length !== 1) {
    throw new RangeError(
      `${NAME}: model must have one input and one output, got ${m.inputs?.length} and ${m.outputs?.length}`,
    );
  }
  return model as LayersModel;
}

/** A relative or absolute path as a file URL; any other specifier unchanged. */
function moduleUrl(specifier: string): string {
  if (specifier.startsWith('./') || specifier.startsWith('../')) {
    return pathToFileURL(resolve(specifier)).href;
  }
  if (isAbsolute(specifier)) return pathToFileURL(specifier).href;
  return specifier;
}
