import { checkCount, checkOptionsObject, checkPositive } from '@bregman/core-prox';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { getLearningRate, setLearningRate } from './learning-rate.js';

/** Options of {@link ReduceLROnPlateau} (PyTorch's names and meanings). */
export interface ReduceLROnPlateauOptions {
  /** The epoch log to watch. Default `'loss'` (the training loss, as in the paper). */
  monitor?: string;
  /** `'min'`: lower is better (a loss); `'max'`: higher is better (an accuracy). Default `'min'`. */
  mode?: 'min' | 'max';
  /** New LR = LR·factor, factor ∈ (0, 1). Default 0.5. */
  factor?: number;
  /** Epochs without improvement tolerated before reducing. Default 5. */
  patience?: number;
  /** How much better counts as better. Default 0.01. */
  threshold?: number;
  /** `'rel'`: better than best·(1 ∓ threshold); `'abs'`: than best ∓ threshold. Default `'rel'`. */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting again. Default 0. */
  cooldown?: number;
  /** The LR never goes below this. Default 0. */
  minLr?: number;
  /** Reductions smaller than this are skipped. Default 1e-8. */
  eps?: number;
  /** Schedule this optimizer instead of the trained model's (for custom loops with `step`). */
  optimizer?: object;
}

/** What {@link ReduceLROnPlateau} remembers between epochs (for checkpoints). */
export interface ReduceLROnPlateauState {
  /** The best value seen so far; `null` before the first step (JSON has no infinity). */
  best: number | null;
  /** Epochs since the last improvement. */
  badEpochs: number;
  /** Epochs of cooldown left. */
  cooldownLeft: number;
}

/**
 * Halves (by default) the learning rate when a monitored quantity stops improving: the
 * rule of PyTorch's `torch.optim.lr_scheduler.ReduceLROnPlateau`, which the paper's
 * experiments use (`factor 0.5, patience 5, threshold 0.01` on the training loss). A tfjs
 * callback for `model.fit`; works with {@link LinBreg}, {@link AdaBreg} and tfjs's own
 * optimizers. In a custom loop call {@link ReduceLROnPlateau.step} once per epoch.
 */
export class ReduceLROnPlateau extends tfl.Callback {
  /** The epoch log watched. */
  readonly monitor: string;
  private readonly mode: 'min' | 'max';
  private readonly factor: number;
  private readonly patience: number;
  private readonly threshold: number;
  private readonly thresholdMode: 'rel' | 'abs';
  private readonly cooldown: number;
  private readonly minLr: number;
  private readonly eps: number;
  private readonly optimizer: object | undefined;
  /** The best value seen so far. */
  best: number;
  /** Epochs since the last improvement. */
  badEpochs = 0;
  private cooldownLeft = 0;

  /** @param options - every option has a default (PyTorch's); leave it out for all of them. */
  constructor(options: ReduceLROnPlateauOptions = {}) {
    super();
    checkOptionsObject(
      'ReduceLROnPlateau',
      options,
      '(or left out: every option has a default), e.g. new ReduceLROnPlateau({ factor: 0.5, patience: 5 })',
    );
    const {
      monitor = 'loss',
      mode = 'min',
      factor = 0.5,
      patience = 5,
      threshold = 0.01,
      thresholdMode = 'rel',
      cooldown = 0,
      minLr = 0,
      eps = 1e-8,
    } = options;
    if (!(factor > 0 && factor < 1)) {
      throw new RangeError(`ReduceLROnPlateau: factor must be in (0, 1), got ${factor}`);
    }
    if (mode !== 'min' && mode !== 'max') {
      throw new RangeError(`ReduceLROnPlateau: mode must be 'min' or 'max', got '${mode}'`);
    }
    if (thresholdMode !== 'rel' && thresholdMode !== 'abs') {
      throw new RangeError(
        `ReduceLROnPlateau: thresholdMode must be 'rel' or 'abs', got '${thresholdMode}'`,
      );
    }
    checkCount('ReduceLROnPlateau: patience', patience);
    checkCount('ReduceLROnPlateau: cooldown', cooldown);
    if (!(threshold >= 0)) {
      throw new RangeError(`ReduceLROnPlateau: threshold must be ≥ 0, got ${threshold}`);
    }
    if (!(minLr >= 0)) throw new RangeError(`ReduceLROnPlateau: minLr must be ≥ 0, got ${minLr}`);
    checkPositive('ReduceLROnPlateau: eps', eps);
    this.monitor = monitor;
    this.mode = mode;
    this.factor = factor;
    this.patience = patience;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
    this.cooldown = cooldown;
    this.minLr = minLr;
    this.eps = eps;
    this.optimizer = options.optimizer;
    this.best = mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }

  /**
   * Feeds one epoch's value of the monitored quantity; reduces the learning rate when
   * PyTorch's rule says so and returns whether it did.
   */
  step(value: number, optimizer: object | undefined = this.optimizer): boolean {
    if (!optimizer) throw new Error('ReduceLROnPlateau.step: no optimizer to schedule');
    if (this.isBetter(value)) {
      this.best = value;
      this.badEpochs = 0;
    } else {
      this.badEpochs += 1;
    }
    if (this.cooldownLeft > 0) {
      this.cooldownLeft -= 1;
      this.badEpochs = 0;
    }
    if (this.badEpochs <= this.patience) return false;
    this.cooldownLeft = this.cooldown;
    this.badEpochs = 0;
    const old = getLearningRate(optimizer);
    const next = Math.max(old * this.factor, this.minLr);
    if (old - next <= this.eps) return false;
    setLearningRate(optimizer, next);
    return true;
  }

  /**
   * The scheduler's memory, as JSON-safe numbers, so that a
   * resumed run reduces the learning rate exactly when an uninterrupted one would.
   */
  getState(): ReduceLROnPlateauState {
    const best = Number.isFinite(this.best) ? this.best : null;
    return { best, badEpochs: this.badEpochs, cooldownLeft: this.cooldownLeft };
  }

  /** Restores what {@link ReduceLROnPlateau.getState} returned. */
  setState(state: ReduceLROnPlateauState): void {
    checkCount('ReduceLROnPlateau.setState: badEpochs', state?.badEpochs);
    checkCount('ReduceLROnPlateau.setState: cooldownLeft', state.cooldownLeft);
    if (state.best !== null && typeof state.best !== 'number') {
      throw new TypeError(
        `ReduceLROnPlateau.setState: best must be a number or null, got ${String(state.best)}`,
      );
    }
    this.best =
      state.best ?? (this.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY);
    this.badEpochs = state.badEpochs;
    this.cooldownLeft = state.cooldownLeft;
  }

  /** tfjs callback hook: {@link ReduceLROnPlateau.step} with the epoch's `monitor` log. */
  override async onEpochEnd(_epoch: number, logs?: tfl.Logs): Promise<void> {
    // tfjs may hand the epoch logs over as scalar tensors
    const raw = logs?.[this.monitor] as unknown;
    const value = raw instanceof tf.Tensor ? (await raw.data())[0] : raw;
    if (typeof value !== 'number') {
      throw new Error(
        `ReduceLROnPlateau: monitor '${this.monitor}' is not in the epoch logs (have: ${Object.keys(logs ?? {}).join(', ') || 'none'})`,
      );
    }
    this.step(value, this.optimizer ?? this.model?.optimizer);
  }

  private isBetter(value: number): boolean {
    if (Number.isNaN(value)) return false;
    const { best, threshold } = this;
    if (this.mode === 'min') {
      return this.thresholdMode === 'rel'
        ? value < best * (1 - threshold)
        : value < best - threshold;
    }
    return this.thresholdMode === 'rel' ? value > best * (1 + threshold) : value > best + threshold;
  }
}
