import { checkUnitInterval } from '@bregman/core-prox';
import * as tf from '@tensorflow/tfjs-core';
import { BregmanOptimizer, type BregmanOptions } from './bregman-optimizer.js';
import { momentumDirection } from './momentum-direction.js';
import { sgdDirection } from './sgd-direction.js';

/** Options of {@link LinBreg}. */
export interface LinBregOptions extends BregmanOptions {
  /**
   * β ∈ [0, 1) of LinBreg with momentum (Algorithm 2, paper eq. 2.14):
   * `m ← βm + (1 − β)τg, v ← v − m`. Default 0: plain LinBreg (Algorithm 1).
   */
  momentum?: number;
}

/**
 * LinBreg, linearized Bregman iterations for training sparse networks (Algorithm 1, paper
 * eq. 2.8), optionally with momentum (Algorithm 2, eq. 2.14):
 *
 * ```
 * g ← ∇L(θ);  v ← v − τg  (or m ← βm + (1 − β)τg; v ← v − m);  θ ← prox_{δJ}(δv)
 * ```
 *
 * A weight is non-zero only once its accumulated `v` leaves the dead zone of `J` (e.g.
 * `|v| ≤ λ` for ℓ1): started from a sparse network, the network grows only the weights the
 * loss asks for (inverse scale space). With no rules and δ = 1 it is `tf.train.sgd(τ)`
 * (with momentum: `tf.train.momentum((1 − β)τ, β)`).
 *
 * **Choosing λ.** λ sets the dead zone `v` must leave before a weight becomes non-zero, so
 * its effect scales with τ and with the number of steps (v accumulates τ·g): the paper's
 * MNIST MLP (τ = 0.1, from 1 % non-zero) ends at 76 %, 33 % and 8.4 % non-zero for
 * λ = 1e-3, 1e-2, 1e-1 after 30 epochs (this project's committed quick report). Group rules (`GroupL12`) multiply λ by √n_g (the group's size), so divide by
 * it to compare with ℓ1. When you know the density you want rather than λ, let
 * {@link DensityController} find λ during training (both ways, per rule).
 *
 * @example
 * ```ts
 * const optimizer = new LinBreg({
 *   learningRate: 0.1,
 *   rules: rulesForModel(model, { dense: new L1({ lambda: 1e-3 }) }),
 * });
 * model.compile({ optimizer, loss: 'categoricalCrossentropy' });
 * ```
 */
export class LinBreg extends BregmanOptimizer {
  /** Registered name for tfjs serialization. */
  static className = 'LinBreg';
  /** β of the momentum (0: none). */
  readonly momentum: number;

  /** @param options - `learningRate` is required; the rest have defaults. */
  constructor(options: LinBregOptions) {
    // a missing options object is reported by RegularizedOptimizer, naming the class
    const momentum = (options as Partial<LinBregOptions> | undefined)?.momentum ?? 0;
    checkUnitInterval('LinBreg: momentum', momentum);
    super(options, momentum > 0 ? momentumDirection(momentum) : sgdDirection());
    this.momentum = momentum;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), momentum: this.momentum };
  }
}

tf.serialization.registerClass(LinBreg);
