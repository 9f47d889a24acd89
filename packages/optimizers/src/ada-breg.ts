import { checkPositive, checkUnitInterval } from '@bregman/core-prox';
import * as tf from '@tensorflow/tfjs-core';
import { adamDirection } from './adam-direction.js';
import { BregmanOptimizer, type BregmanOptions } from './bregman-optimizer.js';

/** Options of {@link AdaBreg}. */
export interface AdaBregOptions extends BregmanOptions {
  /** β₁ ∈ [0, 1), decay of the first moment. Default 0.9. */
  beta1?: number;
  /** β₂ ∈ [0, 1), decay of the second raw moment. Default 0.999. */
  beta2?: number;
  /** ε > 0 added to `√m̂₂`. Default 1e-8. */
  epsilon?: number;
}

/**
 * AdaBreg, the Bregman version of Adam (Algorithm 3): Adam's bias-corrected moments move
 * the subgradient variable, the prox recovers sparse weights:
 *
 * ```
 * m₁ ← β₁m₁ + (1 − β₁)g;  m₂ ← β₂m₂ + (1 − β₂)g²;  v ← v − τ·m̂₁/(√m̂₂ + ε);  θ ← prox_{δJ}(δv)
 * ```
 *
 * With no rules and δ = 1 it is `tf.train.adam(τ, β₁, β₂, ε)`. The paper trains its conv
 * nets with τ = 1e-3.
 *
 * **Choosing λ.** AdaBreg moves `v` by about τ per step and coordinate whatever the
 * gradient's scale (Adam's normalization), so λ is measured in units of τ·steps: a weight
 * becomes non-zero after roughly λ/τ consistent steps. The paper uses λ ≈ 0.5–1 with
 * τ = 1e-3 on conv nets. Group rules (`GroupL12`) multiply λ by √n_g. When you know the
 * density you want rather than λ, let {@link DensityController} find λ during training.
 *
 * @example
 * ```ts
 * const optimizer = new AdaBreg({
 *   learningRate: 1e-3,
 *   rules: rulesForModel(model, { dense: new L1({ lambda: 0.5 }), conv: new L1({ lambda: 0.5 }) }),
 * });
 * ```
 */
export class AdaBreg extends BregmanOptimizer {
  /** Registered name for tfjs serialization. */
  static className = 'AdaBreg';
  /** β₁. */
  readonly beta1: number;
  /** β₂. */
  readonly beta2: number;
  /** ε. */
  readonly epsilon: number;

  /** @param options - `learningRate` is required; the rest have defaults. */
  constructor(options: AdaBregOptions) {
    // a missing options object is reported by RegularizedOptimizer, naming the class
    const { beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8 } = (options ?? {}) as AdaBregOptions;
    checkUnitInterval('AdaBreg: beta1', beta1);
    checkUnitInterval('AdaBreg: beta2', beta2);
    checkPositive('AdaBreg: epsilon', epsilon);
    super(options, adamDirection(beta1, beta2, epsilon));
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

tf.serialization.registerClass(AdaBreg);
