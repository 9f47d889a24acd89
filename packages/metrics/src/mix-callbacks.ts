import * as tfl from '@tensorflow/tfjs-layers';
import { describe } from './validation.js';

/** tfjs's `BaseCallback`, the class tfjs tests callbacks against (its package does not export it). */
const BaseCallback = Object.getPrototypeOf(tfl.CustomCallback) as abstract new () => object;

/** The hooks a plain callback object may have (tfjs's `CustomCallbackArgs`). */
const HOOKS = [
  'onTrainBegin',
  'onTrainEnd',
  'onEpochBegin',
  'onEpochEnd',
  'onBatchBegin',
  'onBatchEnd',
  'onYield',
] as const;

/** One element of a list for {@link mixCallbacks}: a tfjs callback object, or a plain one. */
export type AnyCallback = tfl.Callback | tfl.CustomCallback | tfl.CustomCallbackArgs;

/** Options of {@link mixCallbacks}. */
export interface MixCallbacksOptions {
  /**
   * How often the plain objects let the event loop run (tfjs's `yieldEvery`: `'auto'`,
   * `'batch'`, `'epoch'`, `'never'` or milliseconds). Default `'auto'`, as `model.fit`.
   */
  yieldEvery?: 'auto' | 'batch' | 'epoch' | 'never' | number;
}

/**
 * The `callbacks` for `model.fit` / `model.fitDataset` from a list that mixes tfjs callback
 * objects (`SparsityLogger`, `EpochLogger`, `ReduceLROnPlateau`, `tf.callbacks.earlyStopping()`,
 * …) with plain `{onEpochEnd, …}` objects, in any order: each plain object is wrapped in a
 * `tf.CustomCallback`, the others are kept as they are.
 *
 * Why: tfjs looks only at the first element of the array (tfjs issue #1792). If it is a
 * callback object, tfjs calls `setParams`, `setModel` and every hook on each element, and a
 * plain object fails with "callback.setParams is not a function"; if it is a plain object,
 * tfjs wraps every element in a `tf.CustomCallback`, which never gives the wrapped callbacks
 * the model (a `SparsityLogger` there stops with an error that says so).
 *
 * @example
 * ```ts
 * await model.fit(x, y, {
 *   epochs: 10,
 *   callbacks: mixCallbacks([new SparsityLogger(), { onEpochEnd: (epoch, logs) => save(logs) }]),
 * });
 * ```
 */
export function mixCallbacks(
  callbacks: readonly AnyCallback[],
  options: MixCallbacksOptions = {},
): Array<tfl.Callback | tfl.CustomCallback> {
  if (!Array.isArray(callbacks)) {
    throw new TypeError(
      `mixCallbacks: callbacks must be an array of tf.Callback objects and plain {onEpochEnd, …} objects, got ${describe(callbacks)}`,
    );
  }
  const { yieldEvery = 'auto' } = options ?? {};
  const yieldOk =
    ['auto', 'batch', 'epoch', 'never'].includes(yieldEvery as string) ||
    (typeof yieldEvery === 'number' && Number.isFinite(yieldEvery) && yieldEvery >= 0);
  if (!yieldOk) {
    throw new RangeError(
      `mixCallbacks: yieldEvery must be 'auto', 'batch', 'epoch', 'never' or a number of milliseconds ≥ 0, got ${String(yieldEvery)}`,
    );
  }
  return callbacks.map((callback, i) => {
    if (callback instanceof BaseCallback) return callback as tfl.Callback;
    checkPlainCallback(`mixCallbacks: callbacks[${i}]`, callback);
    return new tfl.CustomCallback(callback, yieldEvery);
  });
}

function checkPlainCallback(name: string, callback: unknown): void {
  if (callback === null || typeof callback !== 'object' || Array.isArray(callback)) {
    throw new TypeError(
      `${name} must be a tf.Callback object or a plain object of hooks (${HOOKS.join(', ')}), got ${describe(callback)}`,
    );
  }
  const keys = Object.keys(callback);
  const unknown = keys.filter((k) => !(HOOKS as readonly string[]).includes(k));
  if (unknown.length > 0 || keys.length === 0) {
    throw new TypeError(
      `${name} must be a tf.Callback object or a plain object of hooks (${HOOKS.join(', ')}), got an object with ${keys.length === 0 ? 'no keys' : `the keys ${keys.join(', ')}`}`,
    );
  }
  for (const key of keys) {
    const hook = (callback as Record<string, unknown>)[key];
    if (typeof hook !== 'function') {
      throw new TypeError(`${name}.${key} must be a function, got ${describe(hook)}`);
    }
  }
}
