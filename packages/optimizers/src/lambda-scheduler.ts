import { checkCount, checkFraction, checkOptionsObject, checkPositive } from '@bregman/core-prox';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { BregmanOptimizer } from './bregman-optimizer.js';

/** Options of {@link LambdaScheduler}. */
export interface LambdaSchedulerOptions {
  /** The wanted fraction of non-zero regularized weights, in (0, 1]. */
  targetDensity: number;
  /** Relative change of λ per adjustment: λ·(1 + step) or λ/(1 + step). Default 0.1. */
  step?: number;
  /** Epochs before the first adjustment (let the net grow first). Default 0. */
  warmup?: number;
  /** Epochs to wait after an adjustment before the next. Default 0. */
  cooldown?: number;
  /** Schedule this optimizer instead of the trained model's (custom loops). */
  optimizer?: BregmanOptimizer;
}

/** One adjustment decision of {@link LambdaScheduler}. */
export interface LambdaSchedulerRecord {
  /** The epoch (0-based) whose end it ran at. */
  epoch: number;
  /** Fraction of non-zero entries over all regularized variables. */
  density: number;
  /** What λ was multiplied by (1 when nothing changed). */
  factor: number;
}

/**
 * Steers λ toward a target density by the discrepancy principle: after each epoch
 * (past `warmup`, outside `cooldown`) it measures the fraction of non-zero weights among
 * the regularized variables and multiplies λ of every rule by `1 + step` when the network
 * is denser than `targetDensity`, by `1/(1 + step)` when it is sparser. The optimizer keeps
 * `v` consistent with the new λ (`BregmanOptimizer.scaleRegularization`): the weights do
 * not jump, only the dead zone moves.
 *
 * **An extension beyond the paper**, which fixes λ per experiment. Keeping the weights
 * while λ grows never removes a weight: a network that is already denser than the target
 * stays so. To reach a density both ways, use {@link DensityController}, which keeps `v`
 * instead and moves the support itself.
 */
export class LambdaScheduler extends tfl.Callback {
  /** The wanted density. */
  readonly targetDensity: number;
  /** Decisions so far, one per epoch it ran at. */
  readonly history: LambdaSchedulerRecord[] = [];
  private readonly stepSize: number;
  private readonly warmup: number;
  private readonly cooldown: number;
  private readonly optimizer: BregmanOptimizer | undefined;
  private cooldownLeft = 0;

  /** @param options - `targetDensity` is required; the rest have defaults. */
  constructor(options: LambdaSchedulerOptions) {
    super();
    checkOptionsObject(
      'LambdaScheduler',
      options,
      'with targetDensity (a number in (0, 1]), e.g. new LambdaScheduler({ targetDensity: 0.05 })',
    );
    const { targetDensity, step = 0.1, warmup = 0, cooldown = 0, optimizer } = options;
    checkFraction('LambdaScheduler: targetDensity', targetDensity);
    checkPositive('LambdaScheduler: step', step);
    checkCount('LambdaScheduler: warmup', warmup);
    checkCount('LambdaScheduler: cooldown', cooldown);
    this.targetDensity = targetDensity;
    this.stepSize = step;
    this.warmup = warmup;
    this.cooldown = cooldown;
    this.optimizer = optimizer;
  }

  /**
   * Measures the density of the regularized variables among `variables` and adjusts λ;
   * returns the decision (also appended to {@link LambdaScheduler.history}), or null during
   * warmup / cooldown.
   */
  async update(
    epoch: number,
    variables: readonly tf.Variable[],
    optimizer: BregmanOptimizer | undefined = this.optimizer,
  ): Promise<LambdaSchedulerRecord | null> {
    if (!optimizer || typeof optimizer.scaleRegularization !== 'function') {
      throw new TypeError('LambdaScheduler needs a LinBreg or AdaBreg optimizer');
    }
    if (epoch < this.warmup) return null;
    if (this.cooldownLeft > 0) {
      this.cooldownLeft -= 1;
      return null;
    }
    const regularized = variables.filter((v) => !optimizer.regularizerFor(v.name).isZero);
    if (regularized.length === 0) {
      throw new Error('LambdaScheduler: no variable is regularized by the optimizer rules');
    }
    const counts = tf.tidy(() =>
      tf.stack(regularized.map((v) => tf.sum(tf.cast(tf.notEqual(v, 0), 'float32')))),
    );
    const nonZero = Array.from(await counts.data()).reduce((a, b) => a + b, 0);
    counts.dispose();
    const total = regularized.reduce((n, v) => n + v.size, 0);
    const density = nonZero / total;
    const factor =
      density > this.targetDensity
        ? 1 + this.stepSize
        : density < this.targetDensity
          ? 1 / (1 + this.stepSize)
          : 1;
    if (factor !== 1) {
      optimizer.scaleRegularization(factor);
      this.cooldownLeft = this.cooldown;
    }
    const record = { epoch, density, factor };
    this.history.push(record);
    return record;
  }

  /** tfjs callback hook: {@link LambdaScheduler.update} with the model's trainable variables. */
  override async onEpochEnd(epoch: number): Promise<void> {
    const model = this.model;
    if (!model) throw new Error('LambdaScheduler: not attached to a model');
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    await this.update(epoch, variables, this.optimizer ?? (model.optimizer as BregmanOptimizer));
  }
}
