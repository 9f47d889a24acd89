import {
  checkOptionsObject,
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
import { checkPositive } from './validation.js';

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
 * (`minimize`, `applyGradients`, `model.fit`), and (de)serialization of both. A subclass
 * says how one variable is updated.
 */
export abstract class RegularizedOptimizer extends tf.Optimizer {
  private rules_: RegularizerRule[];
  private learningRate_ = 0;
  private readonly resolved = new Map<string, Regularizer | null>();
  /** Whether the rules were checked against the variables of a step (see applyGradients). */
  private rulesChecked = false;

  protected constructor(options: RegularizedOptions) {
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
