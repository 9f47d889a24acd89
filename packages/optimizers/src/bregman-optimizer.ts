import { checkPositive, type Regularizer, ruleMatches } from '@bregman/core-prox';
import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { Direction } from './direction.js';
import { mirrorInit, mirrorMap } from './mirror-step.js';
import { RegularizedOptimizer, type RegularizedOptions } from './regularized-optimizer.js';

/** Hyperparameters every Bregman optimizer has. */
export interface BregmanOptions extends RegularizedOptions {
  /**
   * δ > 0 of the elastic net `J_δ = J + ‖·‖²/(2δ)` (paper eq. 2.6): it scales the weights'
   * magnitude, not their support. Default 1. A variable that no rule matches (`J = 0`) is
   * updated by `θ ← θ − δ·d`, so δ = 1 leaves it exactly as SGD / Adam would.
   */
  delta?: number;
}

/** The slot of the subgradient variable `v ∈ ∂J_δ(θ)`; absent while `J = 0` (`v = θ/δ`). */
const MIRROR_SLOT = 'v';

/**
 * The shared machinery of {@link LinBreg} and {@link AdaBreg}: a {@link Direction} composed
 * with the mirror step `θ = prox_{δJ}(δv)`. The per-variable state (`v` and the direction's
 * slots), its checkpoints and the rules are {@link RegularizedOptimizer}'s. Subclasses
 * choose the direction and their hyperparameters.
 */
export abstract class BregmanOptimizer extends RegularizedOptimizer {
  /** δ of the elastic net. */
  readonly delta: number;

  protected constructor(
    options: BregmanOptions,
    private readonly direction: Direction,
  ) {
    super(options, [MIRROR_SLOT, ...direction.slots], [MIRROR_SLOT]);
    const delta = options.delta ?? 1;
    checkPositive(`${new.target.name}: delta`, delta);
    this.delta = delta;
  }

  /**
   * One variable's step: `v ← v − d(g)`, `θ ← prox_{δJ}(δv)` (for `J = 0`: `θ ← θ − δ·d`,
   * no `v` kept). State is created on a variable's first update (`v = θ/δ + ∂J(θ)`,
   * direction slots 0).
   */
  protected override updateVariable(
    variable: Variable,
    gradient: Tensor,
    J: Regularizer | null,
    k: number,
  ): void {
    const slots = this.slotStore.requiredSlots(variable);
    const init = J && (() => mirrorInit(J, variable, this.delta));
    const v = this.slotStore.optionalSlot(variable, MIRROR_SLOT, init);
    const [target, targetScale] = J && v ? [v, 1] : [variable, this.delta];
    const threshold = J && v ? (J.entrywiseThreshold?.(this.delta) ?? -1) : -1;
    const fused = this.direction.fusedStep?.(
      gradient,
      slots,
      target,
      { targetScale, delta: this.delta, threshold },
      this.learningRate,
      k,
    );
    if (fused) {
      target.assign(fused.target);
      if (J && v) variable.assign(fused.weights ?? mirrorMap(J, fused.target, this.delta));
      return;
    }
    const d = this.direction.step(gradient, slots, this.learningRate, k);
    if (J && v) {
      const next = tf.sub(v, d);
      v.assign(next);
      variable.assign(mirrorMap(J, next, this.delta));
    } else {
      variable.assign(tf.sub(variable, this.delta === 1 ? d : tf.mul(d, this.delta)));
    }
  }

  /**
   * Hands restored checkpoint state to the variables of this step (see setWeights): a
   * variable needs state when the direction has slots or a rule regularizes it.
   */
  protected override beforeStep(names: readonly string[]): void {
    const directed = this.direction.slots.length > 0;
    this.slotStore.claim(names, (name) => directed || this.resolvedRegularizer(name) !== null);
  }

  /**
   * Multiplies λ of every rule by `factor` and moves each `v` so that it stays a
   * subgradient of the new `J_δ` at the same weights: `v ← θ/δ + factor·(v − θ/δ)` (since
   * `∂(cJ) = c∂J`). The weights do not change; what changes is how far each zero weight is
   * from becoming non-zero. Used by {@link LambdaScheduler}. Same as
   * {@link BregmanOptimizer.scaleRuleRegularization} with one factor for every rule and
   * `keep: 'weights'`.
   */
  scaleRegularization(factor: number): void {
    checkPositive(`${this.getClassName()}.scaleRegularization: factor`, factor);
    this.scaleRuleRegularization(
      this.rules.map(() => factor),
      'weights',
    );
  }

  /**
   * Multiplies λ of rule `i` by `factors[i]` (1 leaves a rule as it is) and keeps one of the
   * two things a Bregman optimizer holds fixed while λ changes:
   * - `'weights'`: θ stays, each `v` moves to `θ/δ + factor·(v − θ/δ)` (still a subgradient
   *   of the new `J_δ` at θ). Nothing changes now: zero weights stay zero and live ones
   *   live; only the distance of a zero weight from the dead zone's edge scales, so the
   *   support changes later, through the gradients, and raising λ can never remove a weight;
   * - `'subgradient'`: `v` stays and θ becomes `prox_{δJ'}(δv)` (eq. 2.8c) with the new `J'`.
   *   The support changes now: raising λ zeros every entry (group) whose `|v|` (group norm)
   *   is at most the new threshold — those the iteration added last and weakest — and
   *   lowering it brings back the ones just below the old threshold; each weight moves by at
   *   most `δ·|Δλ|` (times √n_g for a group);
   * - `'survivors'`: the support changes now, to the same support as with `'subgradient'`,
   *   but a weight that is non-zero before and after keeps its value (its `v` moves as with
   *   `'weights'`); a weight that leaves becomes 0 and keeps its `v`, one that enters takes
   *   `prox_{δJ'}(δv)`. Raising λ is then magnitude pruning in the geometry of `J`: exactly
   *   the weights with `|θ| ≤ δ·Δλ` (group norm ≤ δ·Δλ·√n_g) go, the others do not move.
   *   Used by {@link DensityController}.
   *
   * @param factors - one finite factor > 0 per rule, in the order of `rules`.
   * @param keep - what stays fixed; default `'weights'`.
   */
  scaleRuleRegularization(
    factors: readonly number[],
    keep: 'weights' | 'subgradient' | 'survivors' = 'weights',
  ): void {
    const owner = `${this.getClassName()}.scaleRuleRegularization`;
    const rules = this.rules;
    if (!Array.isArray(factors) || factors.length !== rules.length) {
      throw new RangeError(
        `${owner}: factors must be an array of one factor per rule (${rules.length}), got ${Array.isArray(factors) ? `${factors.length} factors` : String(factors)}`,
      );
    }
    for (const [i, f] of factors.entries()) checkPositive(`${owner}: factors[${i}]`, f);
    if (keep !== 'weights' && keep !== 'subgradient' && keep !== 'survivors') {
      throw new RangeError(
        `${owner}: keep must be 'weights', 'subgradient' or 'survivors', got ${String(keep)}`,
      );
    }
    this.rules = rules.map((rule, i) =>
      factors[i] === 1
        ? rule
        : { ...rule, regularizer: rule.regularizer.scaled(factors[i] as number) },
    );
    tf.tidy(() => {
      for (const [name, v] of this.slotStore.variablesWith(MIRROR_SLOT)) {
        const theta = tf.engine().registeredVariables[name];
        const i = rules.findIndex((rule) => ruleMatches(rule, name));
        const factor = factors[i];
        if (!theta || factor === undefined || factor === 1) continue;
        // v that keeps θ a prox of the new J: θ/δ + factor·(v − θ/δ), since ∂(cJ) = c∂J
        const keptWeights = () => {
          const base = tf.div(theta, this.delta);
          return tf.add(base, tf.mul(tf.sub(v, base), factor));
        };
        if (keep === 'weights') {
          v.assign(keptWeights());
          continue;
        }
        const after = mirrorMap(this.regularizerFor(name), v, this.delta);
        if (keep === 'subgradient') {
          theta.assign(after);
          continue;
        }
        const survivor = tf.logicalAnd(tf.notEqual(after, 0), tf.notEqual(theta, 0));
        const vNew = tf.where(survivor, keptWeights(), v);
        theta.assign(tf.where(survivor, theta, after));
        v.assign(vNew);
      }
    });
  }

  /** Hyperparameters as plain JSON; `fromConfig` rebuilds the optimizer. */
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), delta: this.delta };
  }
}
