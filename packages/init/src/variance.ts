import { checkPositive } from '@bregman/core-prox';
import { checkOneOf } from './validation.js';

/**
 * The variance α of a dense initialization (paper eq. 4.1):
 * - `'he'`: `2 / fan_in` (He et al., for ReLU),
 * - `'glorot'`: `2 / (fan_in + fan_out)` (Glorot & Bengio, for symmetric activations such
 *   as tanh),
 * - `'lecun'`: `1 / fan_in`,
 * - a number: that α, whatever the shape.
 */
export type VarianceRule = 'he' | 'glorot' | 'lecun' | number;

/** The names {@link VarianceRule} accepts besides a number. */
export const VARIANCE_RULES = ['he', 'glorot', 'lecun'] as const;

/** Fan-in and fan-out of a weight tensor in tfjs's layout. */
export interface Fans {
  /** Inputs per output unit: `nIn` of a Dense kernel, `kh·kw·cin` of a Conv2D kernel. */
  fanIn: number;
  /** Outputs per input unit: `nOut` of a Dense kernel, `kh·kw·cout` of a Conv2D kernel. */
  fanOut: number;
}

/**
 * Fans of a kernel in tfjs's layout (as tfjs-layers computes them): a Dense kernel
 * `[nIn, nOut]` has `fanIn = nIn`, `fanOut = nOut`; a convolution kernel
 * `[...spatial, cin, cout]` has `fanIn = Π spatial · cin`, `fanOut = Π spatial · cout`;
 * a vector `[n]` has both `n`.
 */
export function computeFans(shape: readonly number[]): Fans {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0]!, fanOut: shape[0]! };
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return {
    fanIn: receptive * shape[shape.length - 2]!,
    fanOut: receptive * shape[shape.length - 1]!,
  };
}

/** Throws unless `rule` is a {@link VarianceRule}; the message names `name`. */
export function checkVarianceRule(name: string, rule: unknown): asserts rule is VarianceRule {
  if (typeof rule === 'number') {
    checkPositive(name, rule);
    return;
  }
  checkOneOf(`${name} (or a finite number > 0)`, rule, VARIANCE_RULES);
}

/** α of `rule` for a kernel of shape `shape` (see {@link VarianceRule}). */
export function varianceOf(rule: VarianceRule, shape: readonly number[]): number {
  if (typeof rule === 'number') return rule;
  const { fanIn, fanOut } = computeFans(shape);
  switch (rule) {
    case 'he':
      return 2 / Math.max(1, fanIn);
    case 'glorot':
      return 2 / Math.max(1, fanIn + fanOut);
    case 'lecun':
      return 1 / Math.max(1, fanIn);
  }
}
