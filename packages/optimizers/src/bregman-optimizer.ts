import { type Regularizer, ruleMatches } from '@bregman/core-prox';
import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { Direction } from './direction.js';
import { mirrorInit, mirrorMap } from './mirror-step.js';
import type { NamedTensor } from './optimizer-weights.js';
import { RegularizedOptimizer, type RegularizedOptions } from './regularized-optimizer.js';
import { checkPositive } from './validation.js';

/** Hyperparameters every Bregman optimizer has. */
export interface BregmanOptions extends RegularizedOptions {
  /**
   * δ > 0 of the elastic net `J_δ = J + ‖·‖²/(2δ)` (paper eq. 2.6): it scales the weights'
   * magnitude, not their support. Default 1. A variable that no rule matches (`J = 0`) is
   * updated by `θ ← θ − δ·d`, so δ = 1 leaves it exactly as SGD / Adam would.
   */
  delta?: number;
}

/** A variable's optimizer state. */
interface VariableState {
  /** The subgradient variable `v ∈ ∂J_δ(θ)`; null while `J = 0` (then `v = θ/δ`). */
  v: Variable | null;
  /** The direction's slots, in `direction.slots` order. */
  slots: Variable[];
}

const MIRROR_SLOT = 'v';

/**
 * The shared machinery of {@link LinBreg} and {@link AdaBreg}: a {@link Direction} composed
 * with the mirror step `θ = prox_{δJ}(δv)`, per-variable state keyed by variable name,
 * checkpointing and rules. Subclasses choose the direction and their hyperparameters.
 */
export abstract class BregmanOptimizer extends RegularizedOptimizer {
  /** δ of the elastic net. */
  readonly delta: number;
  private readonly state = new Map<string, VariableState>();
  /** Variables restored by `setWeights` that no variable has claimed yet. */
  private readonly unclaimed = new Set<string>();

  protected constructor(
    options: BregmanOptions,
    private readonly direction: Direction,
  ) {
    super(options);
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
    const state = this.stateOf(variable.name, variable, J);
    const d = this.direction.step(gradient, state.slots, this.learningRate, k);
    if (J && state.v) {
      const v = tf.sub(state.v, d);
      state.v.assign(v);
      variable.assign(mirrorMap(J, v, this.delta));
    } else {
      variable.assign(tf.sub(variable, this.delta === 1 ? d : tf.mul(d, this.delta)));
    }
  }

  /** Hands restored checkpoint state to the variables of this step (see setWeights). */
  protected override beforeStep(names: readonly string[]): void {
    this.claimRestored(names);
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
      for (const [name, { v }] of this.state) {
        const theta = tf.engine().registeredVariables[name];
        const i = rules.findIndex((rule) => ruleMatches(rule, name));
        const factor = factors[i];
        if (!v || !theta || factor === undefined || factor === 1) continue;
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

  /**
   * The whole state for a checkpoint: `iter`, then per variable `<name>/v` and the
   * direction's slots (`<name>/m`, `<name>/m1`, `<name>/m2`). The tensors are the
   * optimizer's own variables (as in tfjs's optimizers): read them, do not dispose them.
   */
  override async getWeights(): Promise<NamedTensor[]> {
    const weights: NamedTensor[] = [await this.saveIterations()];
    for (const [name, { v, slots }] of this.state) {
      if (v) weights.push({ name: `${name}/${MIRROR_SLOT}`, tensor: v });
      this.direction.slots.forEach((slot, i) => {
        weights.push({ name: `${name}/${slot}`, tensor: slots[i] as Variable });
      });
    }
    return weights;
  }

  /**
   * Replaces the whole state with a checkpoint from {@link getWeights}, keyed by variable
   * name. A variable whose name is not in the checkpoint takes the state saved under the
   * same name without tfjs's `_<n>` uniqueness suffix (`dense_Dense1/kernel_1` ↔
   * `dense_Dense1/kernel`), which is how `tf.loadLayersModel` names a reloaded model; other
   * renamings go through `renameOptimizerWeights`. A variable that finds no state while
   * restored state is still unclaimed is an error, never a silent fresh start. The tensors
   * are copied; the caller keeps ownership of its own.
   */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const [first, ...rest] = weightValues;
    if (first?.name !== 'iter') {
      throw new Error(
        `${this.getClassName()}.setWeights: the first weight must be 'iter' (as getWeights writes), got '${first?.name}'`,
      );
    }
    const iterations = (await first.tensor.data())[0] as number;
    const allowed = [MIRROR_SLOT, ...this.direction.slots];
    const byVariable = new Map<string, Map<string, Tensor>>();
    for (const { name, tensor } of rest) {
      const cut = name.lastIndexOf('/');
      const slot = name.slice(cut + 1);
      if (cut <= 0 || !allowed.includes(slot)) {
        throw new Error(
          `${this.getClassName()}.setWeights: '${name}' is not '<variable>/<slot>' with slot one of ${allowed.join(', ')}`,
        );
      }
      const variable = name.slice(0, cut);
      if (!byVariable.has(variable)) byVariable.set(variable, new Map());
      byVariable.get(variable)!.set(slot, tensor);
    }
    for (const [variable, slots] of byVariable) {
      const missing = this.direction.slots.filter((slot) => !slots.has(slot));
      if (missing.length > 0) {
        throw new Error(
          `${this.getClassName()}.setWeights: '${variable}' lacks ${missing.map((s) => `'${variable}/${s}'`).join(', ')}`,
        );
      }
    }
    this.disposeState();
    this.iterations_ = iterations;
    for (const [variable, slots] of byVariable) {
      const v = slots.get(MIRROR_SLOT);
      this.state.set(variable, {
        v: v ? tf.variable(v, false) : null,
        slots: this.direction.slots.map((slot) => tf.variable(slots.get(slot)!, false)),
      });
      this.unclaimed.add(variable);
    }
  }

  /** Disposes the optimizer's state (its weights are untouched). */
  override dispose(): void {
    this.disposeState();
    super.dispose();
  }

  /** Hyperparameters as plain JSON; `fromConfig` rebuilds the optimizer. */
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), delta: this.delta };
  }

  private disposeState(): void {
    for (const { v, slots } of this.state.values()) tf.dispose([...(v ? [v] : []), ...slots]);
    this.state.clear();
    this.unclaimed.clear();
  }

  /**
   * After `setWeights`, hands restored state to the variables of this step: by exact name,
   * else by name without tfjs's `_<n>` suffix. A variable that needs state and finds none
   * while restored state stays unclaimed means the checkpoint was written for other names.
   */
  private claimRestored(names: readonly string[]): void {
    if (this.unclaimed.size === 0) return;
    for (const name of names) if (this.state.has(name)) this.unclaimed.delete(name);
    const orphans: string[] = [];
    for (const name of names) {
      const needsState = this.direction.slots.length > 0 || this.resolvedRegularizer(name) !== null;
      if (this.state.has(name) || !needsState) continue;
      const base = withoutUniqueSuffix(name);
      const candidates = [...this.unclaimed].filter((n) => withoutUniqueSuffix(n) === base);
      if (candidates.length !== 1) {
        orphans.push(name);
        continue;
      }
      const saved = candidates[0] as string;
      this.state.set(name, this.state.get(saved)!);
      this.state.delete(saved);
      this.unclaimed.delete(saved);
    }
    if (orphans.length > 0 && this.unclaimed.size > 0) {
      const list = (xs: string[]) =>
        xs
          .slice(0, 4)
          .map((n) => `'${n}'`)
          .join(', ') + (xs.length > 4 ? ', …' : '');
      throw new Error(
        `${this.getClassName()}: no restored state for ${list(orphans)}, while the state restored for ${list([...this.unclaimed])} is unclaimed: the checkpoint was written for variables with other names. Map them with renameOptimizerWeights(weights, {oldName: newName}) before setWeights.`,
      );
    }
  }

  private stateOf(name: string, variable: Variable, J: Regularizer | null): VariableState {
    let state = this.state.get(name);
    if (!state) {
      state = {
        v: null,
        slots: this.direction.slots.map(() => tf.variable(tf.zerosLike(variable), false)),
      };
      this.state.set(name, state);
    }
    for (const [i, slot] of state.slots.entries()) {
      checkStateShape(this.getClassName(), `${name}/${this.direction.slots[i]}`, slot, variable);
    }
    if (J && !state.v) state.v = tf.variable(mirrorInit(J, variable, this.delta), false);
    if (state.v) checkStateShape(this.getClassName(), `${name}/${MIRROR_SLOT}`, state.v, variable);
    if (!J && state.v) {
      // The rules no longer regularize this variable: J = 0 means v = θ/δ, nothing to keep.
      state.v.dispose();
      state.v = null;
    }
    return state;
  }
}

function checkStateShape(owner: string, name: string, state: Tensor, variable: Tensor): void {
  if (!tf.util.arraysEqual(state.shape, variable.shape)) {
    throw new Error(
      `${owner}: state '${name}' has shape [${state.shape}] but the variable has shape [${variable.shape}]; was the state restored for another model?`,
    );
  }
}

/** A tfjs variable name without the `_<n>` suffix tfjs adds to make names unique. */
function withoutUniqueSuffix(name: string): string {
  return name.replace(/_\d+$/, '');
}
