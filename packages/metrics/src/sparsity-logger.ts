import { checkPositive, checkRules } from '@bregman/core-prox';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import * as tfl from '@tensorflow/tfjs-layers';
import { type Measurements, type MeasureOptions, measureWith } from './measure.js';
import { checkModel } from './validation.js';

/** Options of {@link SparsityLogger}. */
export interface SparsityLoggerOptions extends MeasureOptions {
  /** Put before every log key (e.g. `'sparsity/'`) to avoid clashes. Default `''`. */
  prefix?: string;
  /**
   * Measure this model instead of the one being fitted (for custom training loops that call
   * {@link SparsityLogger.record} themselves).
   */
  model?: LayersModel;
}

/** One entry of {@link SparsityLogger.history}: the epoch and its {@link Measurements}. */
export interface SparsityLogEntry extends Measurements {
  /** The epoch index as `model.fit` counts it (from 0, or from `initialEpoch`). */
  epoch: number;
}

/**
 * A tfjs callback that measures the model's sparsity at the end of every epoch and adds it
 * to the epoch logs — so the numbers appear in `history.history` of `model.fit` beside
 * `loss` and `acc` — and to its own {@link SparsityLogger.history} (full reports, per-layer
 * counts included).
 *
 * Log keys (each prefixed with `prefix`): `nTotal`, `nLinear` (with Dense layers), `nConv`
 * (with convolution layers), `l1Norm`, `activeNeurons_<l>` for the `l`-th Dense layer,
 * `regularizer` (with `rules`) and `bregmanDistance` (with a `reference`). Fractions are in
 * [0, 1].
 *
 * Cost: once per epoch, never per batch, a handful of reductions per kernel and a single
 * asynchronous read of the packed results (see {@link measure}).
 *
 * With plain `{onEpochEnd, …}` objects in the same `callbacks` array, pass the array
 * through {@link mixCallbacks}: tfjs accepts either callback objects or plain objects, not
 * both (tfjs issue #1792).
 *
 * @example
 * ```ts
 * const logger = new SparsityLogger({ rules });
 * const history = await model.fit(x, y, { epochs: 5, callbacks: [logger] });
 * history.history.nTotal; // one density per epoch
 * ```
 */
export class SparsityLogger extends tfl.Callback {
  /** Every epoch measured so far, across `fit` calls. */
  readonly history: SparsityLogEntry[] = [];
  private readonly options: MeasureOptions;
  private readonly prefix: string;
  private readonly ownModel: LayersModel | undefined;

  constructor(options: SparsityLoggerOptions = {}) {
    super();
    const { prefix = '', model, rules, reference, delta } = options;
    if (typeof prefix !== 'string') {
      throw new TypeError(`SparsityLogger: prefix must be a string, got ${String(prefix)}`);
    }
    if (model !== undefined) checkModel('SparsityLogger: model', model);
    if (rules !== undefined) checkRules(rules);
    if (delta !== undefined) checkPositive('SparsityLogger: delta', delta);
    if (reference !== undefined && !Array.isArray(reference)) {
      checkModel('SparsityLogger: reference', reference);
    }
    this.prefix = prefix;
    this.ownModel = model;
    this.options = {
      ...(rules === undefined ? {} : { rules }),
      ...(reference === undefined ? {} : { reference }),
      ...(delta === undefined ? {} : { delta }),
    };
  }

  /**
   * Measures the model once and records the result under `epoch`: appends it to
   * {@link SparsityLogger.history} and writes the log keys into `logs` (when given).
   */
  async record(epoch: number, logs?: tfl.Logs): Promise<SparsityLogEntry> {
    const model = this.ownModel ?? (this.model as LayersModel | undefined);
    if (!model) {
      throw new Error(
        'SparsityLogger.record: no model (pass the logger to model.fit, or give it {model})',
      );
    }
    const entry: SparsityLogEntry = {
      epoch,
      ...(await measureWith('SparsityLogger', model, this.options)),
    };
    this.history.push(entry);
    if (logs) Object.assign(logs, sparsityLogs(entry, this.prefix));
    return entry;
  }

  /** tfjs callback hook: {@link SparsityLogger.record} with the epoch's logs. */
  override async onEpochEnd(epoch: number, logs?: tfl.Logs): Promise<void> {
    if (!(this instanceof SparsityLogger)) {
      // tfjs calls the hook of a callback it wrapped in a tf.CustomCallback on the wrapper
      throw new Error(
        'SparsityLogger: model.fit took this logger for a plain {onEpochEnd, …} object and wrapped it in a tf.CustomCallback, which never sees the model: tfjs does that to every element of a callbacks array whose first element is a plain object. Build the array with mixCallbacks([...]) (it wraps only the plain objects), or wrap the plain objects yourself with new tf.CustomCallback({...}).',
      );
    }
    await this.record(epoch, logs);
  }
}

/**
 * The log entries {@link SparsityLogger} adds for one measurement: `nTotal`, `nLinear`,
 * `nConv`, `l1Norm`, `activeNeurons_<l>`, `regularizer`, `bregmanDistance` (each with
 * `prefix`; a metric the model or the options do not define is left out).
 */
export function sparsityLogs(measurements: Measurements, prefix = ''): Record<string, number> {
  const { sparsity, l1Norm, regularizer, bregmanDistance } = measurements;
  const logs: Record<string, number> = { [`${prefix}nTotal`]: sparsity.total };
  if (sparsity.perLayer.some((l) => l.kind === 'Dense')) logs[`${prefix}nLinear`] = sparsity.linear;
  if (sparsity.perLayer.some((l) => l.kind !== 'Dense')) {
    logs[`${prefix}nConv`] = sparsity.convKernels;
  }
  logs[`${prefix}l1Norm`] = l1Norm;
  sparsity.activeNeurons.forEach((n, l) => {
    logs[`${prefix}activeNeurons_${l}`] = n;
  });
  if (regularizer !== undefined) logs[`${prefix}regularizer`] = regularizer;
  if (bregmanDistance !== undefined) logs[`${prefix}bregmanDistance`] = bregmanDistance;
  return logs;
}
