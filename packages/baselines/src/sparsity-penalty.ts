import {
  checkRegularizer,
  type Regularizer,
  type RegularizerConfigBase,
  regularizerFromConfig,
  regularizerTypes,
} from '@bregman/core-prox';
import type { GradSaveFunc, Scalar, Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Regularizer as LayersRegularizer } from '@tensorflow/tfjs-layers/dist/regularizers.js';

/**
 * tfjs-layers' abstract `Regularizer` class, which `tf.layers.dense({kernelRegularizer})`
 * recognizes by `instanceof`. tfjs-layers exports only its type, so the class is taken from
 * the prototype chain of one of its own regularizers (the same tfjs-layers instance the user
 * builds layers with, since it is a peer dependency).
 *
 * @internal
 */
export const LayersRegularizerClass = Object.getPrototypeOf(
  tfl.regularizers.l1l2({ l1: 0, l2: 0 }).constructor,
) as abstract new () => LayersRegularizer;

/**
 * A tfjs-layers regularizer that adds `J(θ)` of any `@bregman/core-prox` regularizer to the
 * training loss, so that `model.fit` with a plain optimizer (SGD, momentum, Adam) minimizes
 * the regularized risk `L(θ) + J(θ)` (paper eq. 1.4): the lasso (ℓ1) and group-lasso
 * (group ℓ1,2, paper [22]) baselines of Tables 1–3, to be followed by {@link threshold}.
 *
 * Its gradient is `J.subgradient(θ)`, the element of `∂J(θ)` with 0 where `J` has a kink —
 * `λ·sign(θ)` for ℓ1, `λ√n_g·θ_g/‖θ_g‖` for a non-zero group and 0 for a zero group —
 * rather than tfjs's automatic derivative of `J.value`, which does not exist at a zero group
 * (and which tfjs cannot take through the float32-safe group norm of `@bregman/core-prox`).
 * Plain subgradient descent never lands exactly on zero: the weights the lasso would remove
 * hover around it, which is why the paper thresholds afterwards.
 *
 * Serializable: registered under `className`, `getConfig()` holds the regularizer's config,
 * so a saved model reloads with its penalties.
 *
 * @example
 * ```ts
 * tf.layers.dense({ units: 128, kernelRegularizer: new SparsityPenalty(new L1({ lambda: 1e-4 })) });
 * // neuron sparsity: whole columns of the Dense kernel [nIn, nOut]
 * new SparsityPenalty(new GroupL12({ lambda: 1e-3, reduceAxes: [0] }));
 * ```
 */
export class SparsityPenalty extends LayersRegularizerClass {
  /** Registered name for tfjs serialization. */
  static className = 'SparsityPenalty';
  /** The regularizer `J` whose value is added to the loss. */
  readonly regularizer: Regularizer;

  /**
   * @param regularizer - any `@bregman/core-prox` regularizer except `L1Positive` (which is
   *   +∞ for a negative weight: use {@link ProxGD}, whose prox projects onto θ ≥ 0).
   */
  constructor(regularizer: Regularizer) {
    super();
    checkRegularizer('SparsityPenalty: regularizer', regularizer);
    if (!regularizer.finite) {
      throw new RangeError(
        'SparsityPenalty: regularizer must be finite everywhere; L1Positive is +∞ for negative weights, so gradient descent on L + J is undefined (use ProxGD, whose prox projects onto θ ≥ 0)',
      );
    }
    this.regularizer = regularizer;
  }

  /** `J(x)`, with gradient `J.subgradient(x)`. */
  apply(x: Tensor): Scalar {
    const J = this.regularizer;
    const penalty = tf.customGrad((theta: Tensor | GradSaveFunc, save: Tensor | GradSaveFunc) => {
      (save as GradSaveFunc)([theta as Tensor]);
      return {
        value: J.value(theta as Tensor),
        gradFunc: (dy: Tensor, saved: Tensor[]) => tf.mul(dy, J.subgradient(saved[0] as Tensor)),
      };
    });
    return penalty(x) as Scalar;
  }

  /** `{regularizer: J.getConfig()}`: plain JSON. */
  getConfig(): tf.serialization.ConfigDict {
    return { regularizer: this.regularizer.getConfig() as unknown as tf.serialization.ConfigDict };
  }

  /** Rebuilds a penalty from its `getConfig()` (tfjs serialization calls this). */
  static fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    const J = regularizerFromConfig(
      canonicalTypes(config.regularizer as unknown as RegularizerConfigBase),
    );
    return new (cls as unknown as new (J: Regularizer) => T)(J);
  }
}

/**
 * tfjs-layers snake-cases every string of a layer's config when it saves a model and
 * camel-cases it when it loads one (`'GroupL12'` comes back as `'groupL12'`): restores the
 * registered regularizer type names (`regularizerTypes()`), ignoring case and underscores,
 * here and in nested regularizer configs (an elastic net's `base`). Anything else is left
 * for `regularizerFromConfig` to refuse.
 */
function canonicalTypes(config: RegularizerConfigBase): RegularizerConfigBase {
  if (config === null || typeof config !== 'object' || typeof config.type !== 'string')
    return config;
  const key = (t: string) => t.replace(/_/g, '').toLowerCase();
  const type = regularizerTypes().find((t) => key(t) === key(config.type)) ?? config.type;
  const nested = Object.entries(config).map(([name, value]) =>
    value !== null && typeof value === 'object' && typeof value.type === 'string'
      ? [name, canonicalTypes(value as RegularizerConfigBase)]
      : [name, value],
  );
  return { ...Object.fromEntries(nested), type } as RegularizerConfigBase;
}

tf.serialization.registerClass(SparsityPenalty);
