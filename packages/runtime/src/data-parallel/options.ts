import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LayersModel } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { checkLoss, type DataParallelLoss } from './losses.js';

/** Options of {@link DataParallelTrainer.create}. */
export interface DataParallelOptions {
  /**
   * The model to train: built (its weights exist), one input, one output. It stays on the
   * main thread and is the one trained (the source of truth); every worker thread builds a
   * replica from `model.toJSON()`, loads its weights, and applies the same steps.
   */
  model: LayersModel;
  /**
   * Any tfjs optimizer registered for serialization (`tf.train.sgd`, `tf.train.adam`,
   * `LinBreg`, `AdaBreg`, …): every worker thread rebuilds it from its class name and
   * `getConfig()` (LinBreg and AdaBreg are registered in every thread, as this package imports
   * `@bregman/optimizers`; list the module that registers any other class in `modules`) and
   * loads its state; each thread applies
   * the whole batch's gradient to its own replica, one `applyGradients` per step.
   */
  optimizer: tf.Optimizer;
  /** The loss, by name: one of {@link DATA_PARALLEL_LOSSES} (a function cannot be sent to a thread). */
  loss: DataParallelLoss;
  /**
   * How many threads compute, the main thread included: the main thread computes one shard
   * itself, `workers − 1` worker threads compute the others; each applies the step. An
   * integer ≥ 1; default `os.availableParallelism()` (every core). `1` trains on the main
   * thread alone, with no worker thread.
   */
  workers?: number;
  /**
   * The backend of every thread: `wasm` (started in the worker threads by
   * {@link startWasmBackend}, with this package's training kernels) or `cpu`. The main thread
   * must run it too (e.g. through {@link useBestBackend} or {@link startWasmBackend}): every
   * thread applies the same step to its own copy of the weights, and the copies stay equal
   * only with the same arithmetic. Default: the main thread's backend.
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
  const own = tf.getBackend();
  const backend = o.backend ?? own;
  if (backend !== 'wasm' && backend !== 'cpu') {
    throw new RangeError(
      o.backend === undefined
        ? `${NAME}: backend: the main thread runs '${own}'; the threads run 'wasm' or 'cpu', the main thread too (call startWasmBackend() or tf.setBackend('cpu') first, or pass backend)`
        : `${NAME}: backend must be 'wasm' or 'cpu', got ${String(o.backend)}`,
    );
  }
  if (workers > 1 && backend !== own) {
    throw new RangeError(
      `${NAME}: backend is '${backend}' but the main thread runs '${own}': every thread applies the same step to its own copy of the weights, which stay equal only on the same backend (switch the main thread to '${backend}' first)`,
    );
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
