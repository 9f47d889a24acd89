import {
  bregmanDistance,
  checkPositive,
  checkRules,
  elasticNet,
  type RegularizerRule,
  regularizerForName,
} from '@bregman/core-prox';
import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { type Probe, readOneSync, scalarProbe } from './probe.js';
import { referenceReaders, type WeightsReference } from './reference.js';
import { trainableVariables } from './variables.js';

/** Options of {@link bregmanDistanceTo}. */
export interface BregmanDistanceOptions {
  /**
   * Measure with the elastic net `J_δ = J + ‖·‖²/(2δ)` (paper eq. 2.6), the functional
   * LinBreg and AdaBreg actually iterate on, instead of `J`. By Lemma B.1 this adds
   * `‖θ − θ_ref‖²/(2δ)` per trainable variable, unregularized ones (biases) included.
   * Must be > 0. Default: no elastic net.
   */
  delta?: number;
}

/**
 * The Bregman distance of the model's weights to a reference,
 * `Σ_v D_{J_v}^{p_v}(θ_v, θ_ref,v)` with `p_v = J_v.subgradient(θ_ref,v) ∈ ∂J_v(θ_ref,v)`
 * (paper eq. 1.16; for ℓ1 that is `λ·sign(θ_ref)`, 0 where `θ_ref = 0`). The sum runs over
 * the trainable variables; `J_v` comes from `rules` (`regularizerForName`), so an
 * unregularized variable adds 0 — or `‖θ_v − θ_ref,v‖²/(2δ)` with the elastic-net option
 * `delta` (Lemma B.1). It is ≥ 0 up to float32 rounding and 0 when the weights equal the
 * reference. One read of one number; leaves no tensors behind.
 *
 * @param model - a `tf.LayersModel`.
 * @param reference - another model of the same architecture (same layers, same order, same
 *   trainable flags) or a list of tensors in the order of `model.weights` (see
 *   {@link snapshotWeights}).
 * @param rules - the regularizer rules (e.g. the optimizer's).
 * @param options - `{delta}` for `D_{J_δ}`.
 */
export function bregmanDistanceTo(
  model: LayersModel,
  reference: WeightsReference,
  rules: readonly RegularizerRule[],
  options: BregmanDistanceOptions = {},
): number {
  return readOneSync(
    bregmanDistanceProbe('bregmanDistanceTo', model, reference, rules, options.delta),
  );
}

/** The number {@link bregmanDistanceTo} returns, as a probe; checks its input (internal). */
export function bregmanDistanceProbe(
  context: string,
  model: LayersModel,
  reference: WeightsReference,
  rules: readonly RegularizerRule[],
  delta: number | undefined,
): Probe<number> {
  checkRules(rules);
  if (delta !== undefined) checkPositive(`${context}: delta`, delta);
  const variables = trainableVariables(context, model);
  const readers = referenceReaders(context, model, reference);
  const pairs = variables.map((v) => {
    const read = readers[v.index] as () => Tensor;
    const shape = read().shape;
    if (shape.length !== v.shape.length || shape.some((d, i) => d !== v.shape[i])) {
      throw new RangeError(
        `${context}: reference for '${v.name}' (position ${v.index} of model.weights) has shape [${shape.join(', ')}], expected [${v.shape.join(', ')}]`,
      );
    }
    const J = regularizerForName(rules, v.name);
    return { v, read, J: delta === undefined ? J : elasticNet(J, delta) };
  });
  return scalarProbe(() => {
    const terms = pairs
      .filter(({ J }) => !J.isZero)
      .map(({ v, read, J }) => bregmanDistance(J, v.read(), read()));
    return terms.length === 0 ? tf.scalar(0) : tf.addN(terms);
  });
}
