import {
  checkOptionsObject,
  checkPositive,
  checkRules,
  checkRulesMatch,
  type Regularizer,
  type RegularizerRule,
  type RegularizerRuleConfig,
  regularizerForName,
  rulesFromConfig,
  rulesToConfig,
} from '@bregman/core-prox';
import type { NamedTensorMap, Tensor, Variable } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensor } from './optimizer-weights.js';
import { SlotStore } from './slot-store.js';

/** Hyperparameters every regularized optimizer has. */
export interface RegularizedOptions {
  /** Step size τ > 0 (the learning rate). */
  learningRate: number;
  /**
   * Which regularizer applies to which variable (first match wins; none → `J = 0`). Each
   * rule must match at least one variable of the first step (else that step throws, naming
   * the rule and the variables there are), unless it is `optional`.
   */
  rules?: RegularizerRule[];
}

/**
 * What LinBreg, AdaBreg and ProxGD (in `@bregman/baselines`) share: a settable learning
 * rate, per-variable regularizer rules, the step over the gradients a tfjs optimizer gets
 * (`minimize`, `applyGradients`, `model.fit`), (de)serialization of both, and the
 * per-variable state with its checkpoints ({@link SlotStore}). A subclass says how one
 * variable is updated and which slots it keeps.
 */
export abstract class RegularizedOptimizer extends tf.Optimizer {
  /**
   * The per-variable state: the slots the subclass named in its constructor, saved by
   * `getWeights`, restored by `setWeights` and freed by `dispose`.
   */
  protected readonly slotStore: SlotStore;
  private rules_: RegularizerRule[];
  private learningRate_ = 0;
  private readonly resolved = new Map<string, Regularizer | null>();
  /** Whether the rules were checked against the variables of a step (see applyGradients). */
  private rulesChecked = false;

  /**
   * @param options - the learning rate and the rules.
   * @param slots - the names of the state tensors kept per variable, in checkpoint order
   *   (none: the only state is the iteration count).
   * @param optionalSlots - those of `slots` a variable may lack (see
   *   `SlotStore.optionalSlot`).
   */
  protected constructor(
    options: RegularizedOptions,
    slots: readonly string[] = [],
    optionalSlots: readonly string[] = [],
  ) {
    super();
    const owner = (new.target as { className?: string }).className ?? new.target.name;
    checkOptionsObject(
      owner,
      options,
      `with learningRate (the step size τ, a finite number > 0), e.g. new ${owner}({ learningRate: 0.1 })`,
    );
    const { learningRate, rules = [] } = options;
    this.learningRate = learningRate;
    checkRules(rules);
    this.rules_ = [...rules];
    this.slotStore = new SlotStore(owner, slots, optionalSlots);
  }

  /** The step size τ; settable (schedulers change it), must stay a finite number > 0. */
  get learningRate(): number {
    return this.learningRate_;
  }

  /** Sets τ (a finite number > 0, else a RangeError). */
  set learningRate(value: number) {
    checkPositive(`${this.getClassName()}: learningRate`, value);
    this.learningRate_ = value;
  }

  /** The regularizer rules, in matching order. */
  get rules(): readonly RegularizerRule[] {
    return this.rules_;
  }

  /** Replaces the rules (e.g. with a rescaled λ); each variable's `J` is looked up again. */
  protected set rules(rules: readonly RegularizerRule[]) {
    checkRules(rules);
    this.rules_ = [...rules];
    this.resolved.clear();
    this.rulesChecked = false;
  }

  /** The regularizer `J` for a variable name (`NoRegularizer` when no rule matches). */
  regularizerFor(variableName: string): Regularizer {
    return regularizerForName(this.rules_, variableName);
  }

  /**
   * One step for every variable with a gradient (see {@link updateVariable}). The first step
   * (and the first after the rules change) checks that every rule that is not `optional`
   * matches one of the variables given, and throws before anything is updated if one does
   * not: the error names the rule and lists the variable names.
   */
  override applyGradients(variableGradients: NamedTensorMap | NamedTensor[]): void {
    const entries: Array<[string, Tensor | undefined]> = Array.isArray(variableGradients)
      ? variableGradients.map(({ name, tensor }) => [name, tensor])
      : Object.entries(variableGradients);
    if (!this.rulesChecked) {
      checkRulesMatch(
        this.getClassName(),
        this.rules_,
        entries.map(([name]) => name),
      );
      this.rulesChecked = true;
    }
    const updated = entries.filter((e): e is [string, Tensor] => e[1] != null);
    const k = this.iterations + 1;
    this.beforeStep(updated.map(([name]) => name));
    tf.tidy(() => {
      for (const [name, gradient] of updated) {
        const variable = tf.engine().registeredVariables[name];
        if (variable == null) {
          throw new Error(`${this.getClassName()}: no variable named '${name}' is registered`);
        }
        this.updateVariable(variable, gradient, this.resolvedRegularizer(name), k);
      }
    });
    this.incrementIterations();
  }

  /**
   * The whole state for a checkpoint: `iter`, then per variable `<name>/<slot>` for each slot
   * it has (LinBreg: `<name>/v`, with momentum also `<name>/m`; AdaBreg: `<name>/v`,
   * `<name>/m1`, `<name>/m2`; ProxGD: none). The tensors are the optimizer's own variables
   * (as in tfjs's optimizers): read them, do not dispose them.
   */
  override async getWeights(): Promise<NamedTensor[]> {
    return this.slotStore.save(await this.saveIterations());
  }

  /**
   * Replaces the whole state with a checkpoint from {@link getWeights}, keyed by variable
   * name; state for slots this optimizer does not keep, or lacking one it needs, is an error.
   * A subclass with slots hands restored state to the variables of the next step with
   * `SlotStore.claim`, as LinBreg and AdaBreg do: a variable whose name is not in the
   * checkpoint takes the state saved under the same name without tfjs's `_<n>` uniqueness
   * suffix (`dense_Dense1/kernel_1` ↔ `dense_Dense1/kernel`), which is how
   * `tf.loadLayersModel` names a reloaded model; other renamings go through
   * `renameOptimizerWeights`. A variable that finds no state while restored state is still
   * unclaimed is an error, never a silent fresh start. The tensors are copied; the caller
   * keeps ownership of its own.
   */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    this.iterations_ = await this.slotStore.restore(weightValues);
  }

  /** Disposes the optimizer's state (its weights are untouched). */
  override dispose(): void {
    this.slotStore.dispose();
    super.dispose();
  }

  /** Hyperparameters as plain JSON; `fromConfig` rebuilds the optimizer. */
  override getConfig(): tf.serialization.ConfigDict {
    return {
      learningRate: this.learningRate_,
      rules: rulesToConfig(this.rules_) as unknown as tf.serialization.ConfigDictArray,
    };
  }

  /**
   * Rebuilds an optimizer from its `getConfig()` (tfjs serialization calls this through the
   * registered class): the hyperparameters as they are, the rules from their JSON.
   */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    const rules = (config.rules ?? []) as unknown as RegularizerRuleConfig[];
    return new cls({ ...config, rules: rulesFromConfig(rules) });
  }

  /**
   * Updates one variable in place (`variable.assign`). Runs inside `tf.tidy`.
   *
   * @param variable - θ.
   * @param gradient - `g = ∇L(θ)`.
   * @param J - its regularizer, or null when `J = 0`.
   * @param iteration - k, the 1-based number of this step.
   */
  protected abstract updateVariable(
    variable: Variable,
    gradient: Tensor,
    J: Regularizer | null,
    iteration: number,
  ): void;

  /** Called with the names of the variables about to be updated, before the step. */
  protected beforeStep(_names: readonly string[]): void {}

  /** The variable's regularizer, or null for `J = 0`. */
  protected resolvedRegularizer(name: string): Regularizer | null {
    if (!this.resolved.has(name)) {
      const J = this.regularizerFor(name);
      this.resolved.set(name, J.isZero ? null : J);
    }
    return this.resolved.get(name)!;
  }
}
