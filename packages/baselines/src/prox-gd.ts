import type { Regularizer, RegularizerRule } from '@bregman/core-prox';
import { RegularizedOptimizer } from '@bregman/optimizers';
import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

/** Options of {@link ProxGD}. */
export interface ProxGDOptions {
  /** Step size τ > 0: of the gradient step and of the prox, `prox_{τJ}` (paper eq. 1.5). */
  learningRate: number;
  /**
   * Which regularizer applies to which variable (first match wins; none → `J = 0`, a plain
   * SGD step). The same rules as `LinBreg` / `AdaBreg` (e.g. from `rulesForModel`).
   */
  rules?: RegularizerRule[];
}

/**
 * Proximal gradient descent (ProxGD, paper eq. 1.5) for the regularized risk
 * `min_θ L(θ) + J(θ)` (eq. 1.4), the lasso / group-lasso baseline of the paper's §4.2 and
 * Tables 1–2:
 *
 * ```
 * g ← ∇L(θ);  θ ← prox_{τJ}(θ − τg)
 * ```
 *
 * Unlike `LinBreg` it keeps no subgradient variable and uses the learning rate inside the
 * prox, so J acts on the weights themselves: the net goes dense first and is thinned out
 * afterwards (paper §1.2, Fig. 2). A variable no rule matches takes the plain SGD step
 * `θ − τg`, so with no rules ProxGD is `tf.train.sgd(τ)`. A real tfjs optimizer:
 * `model.compile({optimizer})`, `optimizer.minimize(f)`, `getConfig` / `fromConfig`, registered
 * for `tf.loadLayersModel`; its only state is the iteration count (it keeps no slots, so
 * `setWeights` refuses another optimizer's per-variable state).
 *
 * @example
 * ```ts
 * const optimizer = new ProxGD({
 *   learningRate: 0.1,
 *   rules: rulesForModel(model, { dense: new L1({ lambda: 1e-4 }) }),
 * });
 * model.compile({ optimizer, loss: 'categoricalCrossentropy' });
 * ```
 */
export class ProxGD extends RegularizedOptimizer {
  /** Registered name for tfjs serialization. */
  static className = 'ProxGD';

  /** @param options - `learningRate` is required (a missing options object is an error). */
  constructor(options: ProxGDOptions) {
    super(options);
  }

  /** One variable's step `θ ← prox_{τJ}(θ − τg)` (eq. 1.5); `θ − τg` when `J = 0`. */
  protected override updateVariable(
    variable: Variable,
    gradient: Tensor,
    J: Regularizer | null,
  ): void {
    const tau = this.learningRate;
    const forward = tf.sub(variable, tf.mul(gradient, tau));
    variable.assign(J ? J.prox(forward, tau) : forward);
  }
}

tf.serialization.registerClass(ProxGD);
