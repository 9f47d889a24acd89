import * as tf from '@tensorflow/tfjs-core';

/**
 * Every thread of a data-parallel run applies the same optimizer step to its own copy of the
 * weights: each thread holds a replica of the optimizer, rebuilt from the main thread's by
 * tfjs serialization (`getClassName()`, `getConfig()`, `fromConfig`), with the main
 * thread's state (`getWeights()`) loaded into it.
 */

/** What a thread needs to rebuild the optimizer: its registered class and its config. */
export interface OptimizerSpec {
  /** `optimizer.getClassName()`, registered with `tf.serialization.registerClass`. */
  className: string;
  /** `optimizer.getConfig()`. */
  config: tf.serialization.ConfigDict;
  /**
   * For optimizers with per-variable regularizers (`regularizerFor(name)`, as LinBreg and
   * AdaBreg have): each trainable variable's regularizer config, in the model's order, as
   * JSON; the replica must resolve the same ones for its own variables.
   */
  regularizers: string[] | null;
}

/** One tensor of an optimizer's state, as values a thread can receive. */
export interface OptimizerWeight {
  name: string;
  values: Float32Array | Int32Array | Uint8Array;
  shape: number[];
  dtype: tf.DataType;
}

interface WithRegularizers {
  regularizerFor(name: string): { getConfig(): unknown };
}

function regularizersOf(optimizer: tf.Optimizer, names: readonly string[]): string[] | null {
  const o = optimizer as unknown as Partial<WithRegularizers>;
  if (typeof o.regularizerFor !== 'function') return null;
  return names.map((name) => JSON.stringify(o.regularizerFor!(name).getConfig()));
}

/**
 * The spec of the main thread's optimizer (for the variables `names`). Throws when it cannot
 * be rebuilt elsewhere: its class is not registered with `tf.serialization.registerClass`, or
 * its config is not plain JSON.
 */
export function describeOptimizer(
  optimizer: tf.Optimizer,
  names: readonly string[],
): OptimizerSpec {
  const className = optimizer.getClassName();
  if (!tf.serialization.SerializationMap.getMap().classNameMap[className]) {
    throw new TypeError(
      `DataParallelTrainer.create: optimizer: the worker threads rebuild the optimizer from its class name and getConfig(), and '${className}' is not registered (tf.serialization.registerClass(${className}))`,
    );
  }
  let config: tf.serialization.ConfigDict;
  try {
    config = JSON.parse(JSON.stringify(optimizer.getConfig())) as tf.serialization.ConfigDict;
  } catch (error) {
    throw new TypeError(
      `DataParallelTrainer.create: optimizer: the worker threads rebuild the optimizer from getConfig(), and ${className}'s config is not JSON: ${(error as Error).message}`,
    );
  }
  return { className, config, regularizers: regularizersOf(optimizer, names) };
}

/**
 * Rebuilds the optimizer of `spec` in this thread, for the replica's variables `names` (the
 * main model's, in the same order). Throws a clear error when its class is not registered
 * here (a module in the `modules` option must register it) or when it resolves other
 * regularizers for the replica's variables than the main thread's for the model's.
 */
export function rebuildOptimizer(spec: OptimizerSpec, names: readonly string[]): tf.Optimizer {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[spec.className];
  if (!entry) {
    throw new Error(
      `cannot rebuild the optimizer: its class '${spec.className}' is not registered in the thread; list the module that registers it in the \`modules\` option`,
    );
  }
  const [cls, fromConfig] = entry;
  const optimizer = fromConfig(cls, spec.config) as unknown as tf.Optimizer;
  const own = regularizersOf(optimizer, names);
  if (spec.regularizers) {
    const k = spec.regularizers.findIndex((r, i) => own?.[i] !== r);
    if (k >= 0) {
      optimizer.dispose();
      throw new Error(
        `the optimizer rebuilt in the thread gives variable '${names[k]}' the regularizer ${own?.[k]}, the main thread's gives ${spec.regularizers[k]}: its rules must match a replica's variables (built from model.toJSON(), named without tfjs's _<n> suffix) as they match the model's (rulesForModel's rules do)`,
      );
    }
  }
  return optimizer;
}

/** The optimizer's whole state (`getWeights()`), copied into arrays a thread can receive. */
export async function readOptimizerState(optimizer: tf.Optimizer): Promise<OptimizerWeight[]> {
  const weights = await optimizer.getWeights();
  try {
    return await Promise.all(
      weights.map(async ({ name, tensor }) => ({
        name,
        values: (await tensor.data()) as Float32Array | Int32Array | Uint8Array,
        shape: tensor.shape,
        dtype: tensor.dtype,
      })),
    );
  } finally {
    // `iter` is a fresh scalar; the others are the optimizer's own variables
    for (const { name, tensor } of weights) if (name === 'iter') tensor.dispose();
  }
}

/**
 * Loads the main thread's optimizer state into a replica: `<main variable>/<slot>` becomes
 * `<replica variable>/<slot>` (`rename`: main name → replica name), `iter` stays.
 */
export async function loadOptimizerState(
  optimizer: tf.Optimizer,
  state: readonly OptimizerWeight[],
  rename: ReadonlyMap<string, string>,
): Promise<void> {
  const renamed = (name: string): string => {
    const cut = name.lastIndexOf('/');
    for (let end = cut; end > 0; end = name.lastIndexOf('/', end - 1)) {
      const replica = rename.get(name.slice(0, end));
      if (replica !== undefined) return replica + name.slice(end);
    }
    return name;
  };
  const tensors = state.map(({ name, values, shape, dtype }) => ({
    name: renamed(name),
    tensor: tf.tensor(values, shape, dtype),
  }));
  try {
    await optimizer.setWeights(tensors);
  } finally {
    tf.dispose(tensors.map((t) => t.tensor));
  }
}
