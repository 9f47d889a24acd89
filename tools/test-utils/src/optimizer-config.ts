import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/** A rule of an optimizer: which variables, and the regularizer they get. */
export interface Rule<R> {
  match: string | RegExp;
  regularizer: R;
}

/**
 * The regularizer classes {@link roundTripRules} builds its rules from (those of
 * `@bregman/core-prox`, which this package cannot import: core-prox's tests import it).
 */
export interface RuleClasses<A, B, C> {
  L1: new (options: { lambda: number }) => A;
  GroupL12: new (options: { lambda: number; reduceAxes: number[] }) => B;
  SparseGroupLasso: new (options: { lambda: number; reduceAxes: number[] }) => C;
}

/**
 * Rules of every kind of match a config must carry through JSON: an exact name with `_` in
 * it, a case-insensitive RegExp, a RegExp with `%` in it. {@link expectConfigRoundTrip}
 * knows which variable names they give which regularizer.
 */
export function roundTripRules<A, B, C>(classes: RuleClasses<A, B, C>): Rule<A | B | C>[] {
  return [
    { match: 'exact_name/kernel', regularizer: new classes.L1({ lambda: 0.5 }) },
    {
      match: /^conv_\d+\/kernel(_\d+)?$/i,
      regularizer: new classes.GroupL12({ lambda: 0.1, reduceAxes: [0, 1] }),
    },
    {
      match: /50%_dense/,
      regularizer: new classes.SparseGroupLasso({ lambda: 0.2, reduceAxes: [0] }),
    },
  ];
}

/** An optimizer with regularizer rules (as `@bregman/optimizers`' RegularizedOptimizer). */
export interface RuledOptimizer {
  getConfig(): tf.serialization.ConfigDict;
  getClassName(): string;
  readonly rules: readonly { match: string | RegExp }[];
  regularizerFor(variableName: string): { getConfig(): { type: string } };
}

/**
 * Asserts that `optimizer`, made with `rules` from {@link roundTripRules}, is registered with
 * tfjs as `className` and comes back the same from its config through JSON and the registry:
 * the same config, the same rules, the same regularizer for every variable name.
 */
export function expectConfigRoundTrip(
  optimizer: RuledOptimizer,
  rules: readonly Rule<unknown>[],
  className: string,
): void {
  const config = JSON.parse(JSON.stringify(optimizer.getConfig()));
  // tfjs-layers camel-cases any string with '_' when it loads a model: none may be left
  expect(JSON.stringify(config)).not.toContain('_');
  expect(optimizer.getClassName()).toBe(className);
  const registered = tf.serialization.SerializationMap.getMap().classNameMap[className];
  expect(registered?.[0]).toBe(optimizer.constructor);
  const [cls, fromConfig] = registered!;
  const rebuilt = fromConfig(cls, config) as unknown as RuledOptimizer;
  expect(rebuilt.getConfig()).toEqual(optimizer.getConfig());
  expect(rebuilt.rules.map((r) => r.match)).toEqual(rules.map((r) => r.match));
  for (const name of ['exact_name/kernel', 'CONV_3/kernel_2', 'x/50%_dense/kernel', 'other']) {
    expect(rebuilt.regularizerFor(name).getConfig()).toEqual(
      optimizer.regularizerFor(name).getConfig(),
    );
  }
  expect(optimizer.regularizerFor('conv_3/kernel').getConfig().type).toBe('GroupL12');
  // an exact name matches itself only
  expect(optimizer.regularizerFor('exact_name/kernel_1').getConfig().type).toBe('None');
  expect(optimizer.regularizerFor('bias').getConfig().type).toBe('None');
}
