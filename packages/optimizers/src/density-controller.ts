import { checkCount, checkFraction, checkOptionsObject, ruleMatches } from '@bregman/core-prox';
import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { BregmanOptimizer } from './bregman-optimizer.js';
import { mirrorMap } from './mirror-step.js';

/** Options of {@link DensityController}. */
export interface DensityControllerOptions {
  /**
   * The wanted fraction of non-zero entries, in (0, 1]. One number: the density of all
   * regularized variables together, reached by scaling λ of every rule by the same factor
   * (so the rules keep their λ ratios, and layers keep the densities training gives them
   * relative to each other). An array, one per rule of the optimizer (in the order of its
   * `rules`; `null` leaves a rule's λ alone): each rule's own density.
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

/** What one adjustment did to a set of rules moved together (see {@link DensityControllerRecord}). */
export interface DensityAdjustment {
  /**
   * The indices in the optimizer's `rules` of the rules moved together: all of them for one
   * `targetDensity` number, one for a per-rule target.
   */
  rules: number[];
  /** Their target density (over all their variables' entries). */
  target: number;
  /** The density before the adjustment. */
  before: number;
  /** The density after it (equal to `before` when λ was left alone). */
  after: number;
  /** What λ of each of these rules was multiplied by (1: left alone). */
  factor: number;
  /** λ of each rule after the adjustment (undefined for a regularizer without one). */
  lambdas: (number | undefined)[];
}

/** One adjustment of {@link DensityController}. */
export interface DensityControllerRecord {
  /** The epoch (from 0) it ran in. */
  epoch: number;
  /** The batch of that epoch it ran after, or null at the epoch's end. */
  batch: number | null;
  /** One entry per set of rules moved together. */
  adjustments: DensityAdjustment[];
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
 * controller.history.at(-1)?.adjustments[0]?.after; // ≈ 0.05 after the last adjustment
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
    const subgradients = await subgradientsByVariable(optimizer);
    const ruleOf = (name: string) => rules.findIndex((r) => ruleMatches(r, name));
    const factors = rules.map(() => 1);
    const adjustments: DensityAdjustment[] = [];
    for (const { members, target } of this.groupsFor(rules.length)) {
      // each member rule's variables, with that rule's regularizer
      const parts = [...subgradients]
        .filter(([name]) => members.includes(ruleOf(name)))
        .map(([name, v]) => ({ v, J: rules[ruleOf(name)]!.regularizer }));
      if (parts.length === 0) continue;
      const densityAt = (f: number) =>
        density(
          parts.map(({ v, J }) => ({ v, J: f === 1 ? J : J.scaled(f) })),
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
      for (const i of members) factors[i] = factor;
      adjustments.push({ rules: members, target, before, after, factor, lambdas: [] });
    }
    if (factors.some((f) => f !== 1)) optimizer.scaleRuleRegularization(factors, 'survivors');
    for (const a of adjustments) {
      a.lambdas = a.rules.map((i) => optimizer.rules[i]?.regularizer.lambda);
    }
    const record = { epoch: at.epoch, batch: at.batch, adjustments };
    this.history.push(record);
    return record;
  }

  /**
   * The rules moved together, each set with its target: all rules for one `targetDensity`
   * number, else each rule with a target on its own.
   */
  private groupsFor(count: number): Array<{ members: number[]; target: number }> {
    if (!Array.isArray(this.targets)) {
      return [
        { members: Array.from({ length: count }, (_, i) => i), target: this.targets as number },
      ];
    }
    if (this.targets.length !== count) {
      throw new RangeError(
        `DensityController: targetDensity has ${this.targets.length} entries but the optimizer has ${count} rules (one target, or null, per rule)`,
      );
    }
    return this.targets.flatMap((target, i) => (target === null ? [] : [{ members: [i], target }]));
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
    if (name === 'iter')
      tensor.dispose(); // a new scalar per call; the rest are the optimizer's own
    else if (name.endsWith('/v')) result.set(name.slice(0, -2), tensor);
  }
  return result;
}

/** The fraction of non-zero entries of `prox_{δJ}(δv)` over all parts' `v`, each with its `J`. */
async function density(
  parts: ReadonlyArray<{ v: Tensor; J: Parameters<typeof mirrorMap>[0] }>,
  delta: number,
): Promise<number> {
  const counts = tf.tidy(() =>
    tf.stack(
      parts.map(({ v, J }) => tf.sum(tf.cast(tf.notEqual(mirrorMap(J, v, delta), 0), 'float32'))),
    ),
  );
  const nonZero = Array.from(await counts.data()).reduce((a, b) => a + b, 0);
  counts.dispose();
  return nonZero / parts.reduce((n, { v }) => n + v.size, 0);
}
