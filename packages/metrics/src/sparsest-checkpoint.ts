import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import * as tfl from '@tensorflow/tfjs-layers';
import { scalarValue } from './log-value.js';
import { measureWith } from './measure.js';
import { checkModel, describe } from './validation.js';

/** Options of {@link SparsestCheckpoint}. */
export interface SparsestCheckpointOptions {
  /** The epoch log value that must be good enough, e.g. `'val_acc'` or `'val_loss'`. */
  monitor: string;
  /** How good is good enough: `value ≥ threshold` for mode `'max'`, `≤` for `'min'`. */
  threshold: number;
  /** Whether larger (`'max'`, accuracies) or smaller (`'min'`, losses) values are better. */
  mode: 'max' | 'min';
  /**
   * Stop training (`model.stopTraining`) at the end of the first epoch whose density
   * (`N_total`, in (0, 1]) exceeds this, once a good enough checkpoint was kept: Bregman
   * training only adds weights from there. Default: never stop.
   */
  stopAboveDensity?: number;
  /**
   * Put the kept weights back into the model when training ends. Default true; with false,
   * call {@link SparsestCheckpoint.restore} yourself.
   */
  restoreAtEnd?: boolean;
  /** Watch this model instead of the fitted one (custom loops that call `onEpochEnd`). */
  model?: LayersModel;
}

/** The checkpoint {@link SparsestCheckpoint} keeps. */
export interface KeptCheckpoint {
  /** The epoch (from 0) at whose end the weights were taken. */
  epoch: number;
  /** Its density `N_total`: non-zero kernel entries over all kernel entries. */
  density: number;
  /** Its value of the monitored log. */
  value: number;
}

/**
 * Keeps the sparsest model that is good enough: at the end of every epoch whose monitored
 * log value meets the threshold, it measures the density (`N_total` of {@link sparsity}) and,
 * when it is the lowest so far, copies the weights. Bregman training starts sparse and adds
 * weights, so the sparsest good model is usually an early one, not the last (and not the one
 * with the best accuracy). When training ends the model gets those weights back (unless
 * `restoreAtEnd: false`); `stopAboveDensity` ends training once the density passes a limit
 * after a good checkpoint was kept.
 *
 * The copies are held on the backend (one per weight, replaced when a sparser one comes);
 * call {@link SparsestCheckpoint.dispose} when done with the callback.
 *
 * @example
 * ```ts
 * const keeper = new SparsestCheckpoint({ monitor: 'val_acc', threshold: 0.97, mode: 'max' });
 * await model.fit(x, y, { epochs: 20, validationData: [xv, yv], callbacks: [keeper] });
 * keeper.kept; // { epoch, density, value }, or null if no epoch was good enough
 * ```
 */
export class SparsestCheckpoint extends tfl.Callback {
  /** The checkpoint kept so far, or null while no epoch was good enough. */
  kept: KeptCheckpoint | null = null;
  /** The epoch at whose end training was stopped (`stopAboveDensity`), or null. */
  stoppedAt: number | null = null;
  private readonly monitor: string;
  private readonly threshold: number;
  private readonly mode: 'max' | 'min';
  private readonly stopAboveDensity: number | undefined;
  private readonly restoreAtEnd: boolean;
  private readonly ownModel: LayersModel | undefined;
  private weights: Tensor[] = [];

  /** @param options - `monitor`, `threshold` and `mode` are required. */
  constructor(options: SparsestCheckpointOptions) {
    super();
    if (options === null || typeof options !== 'object') {
      throw new TypeError(
        `SparsestCheckpoint: options must be an object with monitor, threshold and mode, e.g. { monitor: 'val_acc', threshold: 0.97, mode: 'max' }, got ${describe(options)}`,
      );
    }
    const { monitor, threshold, mode, stopAboveDensity, restoreAtEnd = true, model } = options;
    if (typeof monitor !== 'string' || monitor === '') {
      throw new TypeError(
        `SparsestCheckpoint: monitor must be the name of an epoch log value (e.g. 'val_acc'), got ${String(monitor)}`,
      );
    }
    if (typeof threshold !== 'number' || !Number.isFinite(threshold)) {
      throw new RangeError(
        `SparsestCheckpoint: threshold must be a finite number, got ${String(threshold)}`,
      );
    }
    if (mode !== 'max' && mode !== 'min') {
      throw new RangeError(
        `SparsestCheckpoint: mode must be 'max' (larger is better, accuracies) or 'min' (losses), got ${String(mode)}`,
      );
    }
    if (
      stopAboveDensity !== undefined &&
      (typeof stopAboveDensity !== 'number' || !(stopAboveDensity > 0 && stopAboveDensity <= 1))
    ) {
      throw new RangeError(
        `SparsestCheckpoint: stopAboveDensity must be a number in (0, 1], got ${String(stopAboveDensity)}`,
      );
    }
    if (typeof restoreAtEnd !== 'boolean') {
      throw new TypeError(
        `SparsestCheckpoint: restoreAtEnd must be true or false, got ${String(restoreAtEnd)}`,
      );
    }
    if (model !== undefined) checkModel('SparsestCheckpoint: model', model);
    this.monitor = monitor;
    this.threshold = threshold;
    this.mode = mode;
    this.stopAboveDensity = stopAboveDensity;
    this.restoreAtEnd = restoreAtEnd;
    this.ownModel = model;
  }

  /** tfjs callback hook: keeps the weights when good enough and sparser than the kept ones. */
  override async onEpochEnd(epoch: number, logs?: tfl.Logs): Promise<void> {
    const model = this.watched();
    const logged = logs?.[this.monitor] as number | Tensor | undefined;
    if (logged === undefined || logged === null) {
      const keys = Object.keys(logs ?? {});
      throw new Error(
        `SparsestCheckpoint: the epoch logs have no '${this.monitor}' (they have ${keys.length > 0 ? keys.map((k) => `'${k}'`).join(', ') : 'none'}); val_* values need validationData or validationSplit`,
      );
    }
    const value = await scalarValue(logged);
    const good = this.mode === 'max' ? value >= this.threshold : value <= this.threshold;
    const { sparsity } = await measureWith('SparsestCheckpoint', model, {});
    const density = sparsity.total;
    if (good && (this.kept === null || density < this.kept.density)) {
      tf.dispose(this.weights);
      this.weights = model.getWeights().map((w) => tf.clone(w));
      this.kept = { epoch, density, value };
    }
    if (
      this.stopAboveDensity !== undefined &&
      this.kept !== null &&
      density > this.stopAboveDensity
    ) {
      model.stopTraining = true;
      this.stoppedAt = epoch;
    }
  }

  /** tfjs callback hook: puts the kept weights back (`restoreAtEnd`). */
  override async onTrainEnd(): Promise<void> {
    if (this.restoreAtEnd) this.restore();
  }

  /**
   * Sets the kept weights into `model` (default: the watched one); returns false when no
   * epoch was good enough (the model is left as it is).
   */
  restore(model: LayersModel = this.watched()): boolean {
    if (this.kept === null) return false;
    model.setWeights(this.weights);
    return true;
  }

  /** Frees the kept copies of the weights. */
  dispose(): void {
    tf.dispose(this.weights);
    this.weights = [];
  }

  private watched(): LayersModel {
    const model = this.ownModel ?? (this.model as LayersModel | undefined);
    if (!model) throw new Error('SparsestCheckpoint: not attached to a model');
    return model;
  }
}
