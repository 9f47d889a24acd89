import { checkRules, type RegularizerRule, regularizerForName } from '@bregman/core-prox';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { type Probe, readOneSync, scalarProbe } from './probe.js';
import { type ModelVariable, trainableVariables } from './variables.js';

/**
 * `Σ_v J_v(θ_v)` over the trainable variables of `model`, where `J_v` is the regularizer
 * that `rules` assign to the variable's name (`regularizerForName` of `@bregman/core-prox`;
 * unmatched variables have `J = 0`): the regularization term of the training objective
 * `L(θ) + J(θ)` (paper eq. 1.4). One read of one number; leaves no tensors behind.
 *
 * @param model - a `tf.LayersModel`.
 * @param rules - the same rules the optimizer uses (e.g. from `rulesForModel`).
 */
export function regularizerValue(model: LayersModel, rules: readonly RegularizerRule[]): number {
  checkRules(rules);
  return readOneSync(regularizerValueProbe(trainableVariables('regularizerValue', model), rules));
}

/** The number {@link regularizerValue} returns, as a probe (internal). */
export function regularizerValueProbe(
  variables: readonly ModelVariable[],
  rules: readonly RegularizerRule[],
): Probe<number> {
  return scalarProbe(() => {
    const terms = variables.flatMap((v) => {
      const J = regularizerForName(rules, v.name);
      return J.isZero ? [] : [J.value(v.read())];
    });
    return terms.length === 0 ? tf.scalar(0) : tf.addN(terms);
  });
}
