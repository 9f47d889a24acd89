import { checkOptionsObject, ruleMatches } from '@bregman/core-prox';
import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { BregmanOptimizer } from './bregman-optimizer.js';
import { mirrorMap } from './mirror-step.js';
import { scaledRegularizer } from './scaled-regularizer.js';
import { checkCount, checkFraction, checkPositive } from './validation.js';

/** Options of {@link DensityController}. */
export interface DensityControllerOptions {
  /**
   * The wanted fraction of non-zero entries, in (0, 1]: one number for every rule, or one
   * per rule of the optimizer (in the order of its `rules`; `null` leaves a rule's λ alone).
   * A rule's density counts the entries of the variables it regularizes.
   */
  targetDensity: number | readonly (number | null)[];
  /**
   * Relative distance from the target within which λ is left alone: nothing changes while
   * `|density/target − 1| ≤ tolerance`. Default 0.05.
   */
  tolerance?: number;
  /**
   * The most the density moves in one adjustment: toward the target, but to no less than
   * `density/maxDensityChange` and no more than `density·maxDensityChange` (> 1). Default
   * 2: a dense network is pruned to 1 % over about seven adjustments, retraining in
   * between, rather than at once (which a network may not recover from). `Infinity` goes
   * the whole way at once.
   */
  maxDensityChange?: number;
  /** Epochs before the first adjustment (let the network grow first). Default 0. */
  warmup?: number;
  /**
   * Adjust every this many batches too, not only at the end of each epoch (faster on long
   * epochs). Default: at epoch ends only.
   */
  everyBatches?: number;
  /** Control this optimizer instead of the fitted model's (custom training loops). */
  optimizer?: BregmanOptimizer;
}

/** What one adjustment did to one rule (see {@link DensityControllerRecord}). */
export interface RuleAdjustment {
  /** The rule's index in the optimizer's `rules`. */
  rule: number;
  /** Its target density. */
  target: number;
  /** The density before the adjustment. */
  before: number;
  /** The density after it (equal to `before` when λ was left alone). */
  after: number;
  /** What λ was multiplied by (1: left alone). */
  factor: number;
  /** λ after the adjustment (from the regularizer's config; undefined when it has none). */
  lambda: number | undefined;
}

/** One adjustment of {@link DensityController}. */
export interface DensityControllerRecord {
  /** The epoch (from 0) it ran in. */
  epoch: number;
  /** The batch of that epoch it ran after, or null at the epoch's end. */
  batch: number | null;
  /** One entry per controlled rule. */
  rules: RuleAdjustment[];
}

/** How far one adjustment may scale λ: within [1/FACTOR_RANGE, FACTOR_RANGE]. */
const FACTOR_RANGE = 1e6;
/** Bisection steps on log λ per adjustment (the factor to within FACTOR_RANGE^(2^-n)). */
const BISECTION_STEPS = 24;

/**
 * Reaches a target density by moving λ both ways during training, per rule: the sparsity
 * you ask for instead of the λ you guess. A tfjs callback for `model.fit` (or call
 * {@link DensityController.adjust} from a custom loop).
 *
 * **How.** At each adjustment, for each rule, it finds by bisection the factor `f` for which
 * the weights `θ = prox_{δ·fJ}(δv)` (eq. 2.8c) of the *present* subgradient variables `v`
 * have the target density — a monotone function of `f`, computed without touching the
 * model — and applies it with `scaleRuleRegularization(factors, 'survivors')`: λ becomes
 * `f·λ` and the support becomes that prox's, while the weights that stay keep their values. A far target is approached in steps (at most
 * ×`maxDensityChange` or ÷ it per adjustment, default 2), so that the network retrains
 * between prunings; once near, right after each adjustment the density equals the target
 * (within `tolerance`); between adjustments
 * the iteration grows the network as Bregman iterations do, and the next adjustment trims it
 * back. The weights removed are those with the smallest `|v|` (group norm) — the ones
 * nearest to the dead zone, i.e. the smallest weights (`|θ| ≤ δ·Δλ`); the others do not
 * move, so an adjustment costs the network only what magnitude pruning of those weights
 * costs. (Moving θ to `prox_{δJ'}(δv)` instead, `keep: 'subgradient'`, would also shrink
 * every surviving weight by `δ·Δλ`, which late in training, with λ large, undoes much of
 * what was learned.)
 *
 * **Why not just raise λ** ({@link LambdaScheduler}). Raising λ while keeping the weights
 * (`keep: 'weights'`) rescales `v` so that every zero weight stays zero and every live one
 * stays live: it only widens the dead zone that `v` must cross from now on. Bregman
 * iterations add weights and rarely remove them (the loss decreases along the inverse scale
 * space flow, eq. 2.4: a weight leaves the support only when its subgradient returns inside
 * the dead zone), so a network that overshot its budget stays overshot however far λ rises.
 * Keeping `v` and moving the threshold is what changes the support itself.
 *
 * **An extension beyond the paper**, which fixes λ per experiment.
 *
 * @example
 * ```ts
 * const controller = new DensityController({ targetDensity: 0.05 });
 * await model.fit(x, y, { epochs: 20, callbacks: [controller] });
 * controller.history.at(-1)?.rules[0]?.after; // ≈ 0.05 after the last adjustment
 * ```
 */
export class DensityController extends tfl.Callback {
  /** Every adjustment so far. */
  readonly history: DensityControllerRecord[] = [];
  private readonly targets: number | readonly (number | null)[];
  private readonly tolerance: number;
  private readonly maxDensityChange: number;
  private readonly warmup: number;
  private readonly everyBatches: number | undefined;
  private readonly ownOptimizer: BregmanOptimizer | undefined;
  private epoch = 0;

  /** @param options - `targetDensity` is required; the rest have defaults. */
  constructor(options: DensityControllerOptions) {
    super();
    checkOptionsObject(
      'DensityController',
      options,
      'with targetDensity (a number in (0, 1], or one per rule), e.g. new DensityController({ targetDensity: 0.05 })',
    );
    const {
      targetDensity,
      tolerance = 0.05,
      maxDensityChange = 2,
      warmup = 0,
      everyBatches,
      optimizer,
    } = options;
    if (Array.isArray(targetDensity)) {
      targetDensity.forEach((t, i) => {
        if (t !== null) checkFraction(`DensityController: targetDensity[${i}]`, t);
      });
    } else {
      checkFraction('DensityController: targetDensity', targetDensity as number);
    }
    if (typeof tolerance !== 'number' || !(tolerance >= 0 && tolerance < 1)) {
      throw new RangeError(
        `DensityController: tolerance must be a number in [0, 1), got ${String(tolerance)}`,
      );
    }
    if (typeof maxDensityChange !== 'number' || !(maxDensityChange > 1)) {
      throw new RangeError(
        `DensityController: maxDensityChange must be a number > 1 (Infinity: no limit), got ${String(maxDensityChange)}`,
      );
    }
    checkCount('DensityController: warmup', warmup);
    if (everyBatches !== undefined) {
      checkCount('DensityController: everyBatches', everyBatches);
      if (everyBatches === 0) {
        throw new RangeError('DensityController: everyBatches must be an integer ≥ 1, got 0');
      }
    }
    this.targets = Array.isArray(targetDensity) ? [...targetDensity] : (targetDensity as number);
    this.tolerance = tolerance;
    this.maxDensityChange = maxDensityChange;
    this.warmup = warmup;
    this.everyBatches = everyBatches;
    this.ownOptimizer = optimizer;
  }

  /**
   * One adjustment of every controlled rule of `optimizer` (see the class comment); returns
   * what it did (also appended to {@link DensityController.history}). Rules whose variables
   * have not been stepped yet (no subgradient variable) are left out.
   */
  async adjust(
    optimizer: BregmanOptimizer | undefined = this.ownOptimizer,
    at: { epoch: number; batch: number | null } = { epoch: this.epoch, batch: null },
  ): Promise<DensityControllerRecord> {
    if (!optimizer || typeof optimizer.scaleRuleRegularization !== 'function') {
      throw new TypeError(
        'DensityController needs a LinBreg or AdaBreg optimizer (the fitted model’s, or the `optimizer` option)',
      );
    }
    const rules = optimizer.rules;
    const targets = this.targetsFor(rules.length);
    const subgradients = await subgradientsByVariable(optimizer);
    const factors = rules.map(() => 1);
    const adjustments: RuleAdjustment[] = [];
    for (const [i, rule] of rules.entries()) {
      const target = targets[i];
      if (target === null || target === undefined) continue;
      const vs = [...subgradients].filter(
        ([name]) => rules.findIndex((r) => ruleMatches(r, name)) === i,
      );
      if (vs.length === 0) continue;
      const densityAt = (f: number) =>
        density(
          vs.map(([, v]) => v),
          f === 1 ? rule.regularizer : scaledRegularizer(rule.regularizer, f),
          optimizer.delta,
        );
      const before = await densityAt(1);
      let factor = 1;
      let after = before;
      if (Math.abs(before / target - 1) > this.tolerance) {
        const step = Math.min(
          Math.max(target, before / this.maxDensityChange),
          before * this.maxDensityChange,
        );
        [factor, after] = await factorFor(densityAt, step, before, this.tolerance);
      }
      factors[i] = factor;
      adjustments.push({ rule: i, target, before, after, factor, lambda: undefined });
    }
    if (factors.some((f) => f !== 1)) optimizer.scaleRuleRegularization(factors, 'survivors');
    for (const a of adjustments) a.lambda = lambdaOf(optimizer.rules[a.rule]?.regularizer);
    const record = { epoch: at.epoch, batch: at.batch, rules: adjustments };
    this.history.push(record);
    return record;
  }

  private targetsFor(count: number): readonly (number | null)[] {
    if (!Array.isArray(this.targets)) return new Array(count).fill(this.targets);
    if (this.targets.length !== count) {
      throw new RangeError(
        `DensityController: targetDensity has ${this.targets.length} entries but the optimizer has ${count} rules (one target, or null, per rule)`,
      );
    }
    return this.targets;
  }

  /** tfjs callback hook: remembers the epoch. */
  override async onEpochBegin(epoch: number): Promise<void> {
    this.epoch = epoch;
  }

  /** tfjs callback hook: an adjustment every `everyBatches` batches (past `warmup`). */
  override async onBatchEnd(batch: number): Promise<void> {
    if (this.everyBatches === undefined || this.epoch < this.warmup) return;
    if ((batch + 1) % this.everyBatches !== 0) return;
    await this.adjust(this.optimizerOfModel(), { epoch: this.epoch, batch });
  }

  /** tfjs callback hook: an adjustment at the end of every epoch past `warmup`. */
  override async onEpochEnd(epoch: number): Promise<void> {
    this.epoch = epoch;
    if (epoch < this.warmup) return;
    await this.adjust(this.optimizerOfModel(), { epoch, batch: null });
  }

  private optimizerOfModel(): BregmanOptimizer {
    if (this.ownOptimizer) return this.ownOptimizer;
    const model = this.model;
    if (!model) throw new Error('DensityController: not attached to a model');
    return model.optimizer as unknown as BregmanOptimizer;
  }
}

/**
 * The factor of λ whose prox gives the density nearest `target` from the sparse side, and
 * that density (the density falls as λ grows), by bisection on log f within
 * `[1/FACTOR_RANGE, FACTOR_RANGE]`; the bound when the target lies beyond it.
 */
async function factorFor(
  densityAt: (f: number) => Promise<number>,
  target: number,
  now: number,
  tolerance: number,
): Promise<[number, number]> {
  const bound = now > target ? FACTOR_RANGE : 1 / FACTOR_RANGE;
  const atBound = await densityAt(bound);
  if (now > target ? atBound >= target : atBound <= target) return [bound, atBound];
  let [lo, hi] = now > target ? [0, Math.log(bound)] : [Math.log(bound), 0]; // log f
  let best: [number, number] = now > target ? [bound, atBound] : [1, now];
  for (let step = 0; step < BISECTION_STEPS; step++) {
    const mid = (lo + hi) / 2;
    const d = await densityAt(Math.exp(mid));
    if (d > target) lo = mid;
    else {
      hi = mid;
      best = [Math.exp(mid), d];
    }
    if (Math.abs(d / target - 1) <= tolerance / 4) return [Math.exp(mid), d];
  }
  return best;
}

/** The optimizer's subgradient variables `v` by variable name (its own tensors). */
async function subgradientsByVariable(optimizer: BregmanOptimizer): Promise<Map<string, Tensor>> {
  const result = new Map<string, Tensor>();
  for (const { name, tensor } of await optimizer.getWeights()) {
    if (name.endsWith('/v')) result.set(name.slice(0, -2), tensor);
  }
  return result;
}

/** The fraction of non-zero entries of `prox_{δJ}(δv)` over all `vs`. */
async function density(
  vs: readonly Tensor[],
  J: Parameters<typeof mirrorMap>[0],
  delta: number,
): Promise<number> {
  const counts = tf.tidy(() =>
    tf.stack(vs.map((v) => tf.sum(tf.cast(tf.notEqual(mirrorMap(J, v, delta), 0), 'float32')))),
  );
  const nonZero = Array.from(await counts.data()).reduce((a, b) => a + b, 0);
  counts.dispose();
  return nonZero / vs.reduce((n, v) => n + v.size, 0);
}

/** λ of a regularizer's config, when it has one. */
function lambdaOf(J: { getConfig(): object } | undefined): number | undefined {
  const lambda = (J?.getConfig() as { lambda?: unknown } | undefined)?.lambda;
  return typeof lambda === 'number' ? lambda : undefined;
}
