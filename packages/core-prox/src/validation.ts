import type { Regularizer } from './regularizer.js';

/**
 * Throws unless `axes` is a non-empty list of distinct integers; negative axes count from
 * the end as in tfjs. The rank is checked per tensor by {@link resolveAxes}.
 */
export function checkAxesList(name: string, axes: readonly number[]): void {
  if (!Array.isArray(axes) || axes.length === 0 || !axes.every(Number.isInteger)) {
    throw new RangeError(
      `${name} must be a non-empty array of integer axes, got ${JSON.stringify(axes)}`,
    );
  }
  if (new Set(axes).size !== axes.length) {
    throw new RangeError(`${name} must not repeat an axis, got ${JSON.stringify(axes)}`);
  }
}

/**
 * Resolves `axes` against a tensor of rank `rank` into sorted non-negative axes; an axis
 * outside `[−rank, rank)` (or two names for one axis) is an error naming `name`.
 */
export function resolveAxes(name: string, axes: readonly number[], rank: number): number[] {
  const resolved = axes.map((axis) => {
    if (axis < -rank || axis >= rank) {
      throw new RangeError(
        `${name} contains axis ${axis}, but the tensor has rank ${rank}: allowed axes are ${-rank}…${rank - 1}`,
      );
    }
    return axis < 0 ? axis + rank : axis;
  });
  if (new Set(resolved).size !== resolved.length) {
    throw new RangeError(
      `${name} ${JSON.stringify(axes)} names one axis twice for a tensor of rank ${rank}`,
    );
  }
  return resolved.sort((a, b) => a - b);
}

/** Throws unless `a` and `b` have the same shape; names both arguments. */
export function checkSameShape(
  context: string,
  names: [string, string],
  a: readonly number[],
  b: readonly number[],
): void {
  if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
    throw new RangeError(
      `${context}: ${names[0]} and ${names[1]} must have the same shape, got [${a.join(', ')}] and [${b.join(', ')}]`,
    );
  }
}

/**
 * Throws a TypeError unless `options` is an options object (not undefined, null, an array
 * or a primitive), so that a constructor called without its options says which class needs
 * what instead of failing to destructure.
 *
 * @param owner - the class or function that takes the options, e.g. `'LinBreg'`.
 * @param options - what the caller passed.
 * @param needs - what the object must hold, read after "options must be an object", e.g.
 *   `'with learningRate (a finite number > 0), e.g. new LinBreg({ learningRate: 0.1 })'`.
 */
export function checkOptionsObject(
  owner: string,
  options: unknown,
  needs: string,
): asserts options is object {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${owner}: options must be an object ${needs}, got ${describe(options)}`);
  }
}

/** Throws unless `J` has the methods of a {@link Regularizer}; the message names `name`. */
export function checkRegularizer(name: string, J: unknown): asserts J is Regularizer {
  const r = J as Partial<Regularizer> | null | undefined;
  if (
    typeof r?.prox !== 'function' ||
    typeof r.subgradient !== 'function' ||
    typeof r.value !== 'function' ||
    typeof r.getConfig !== 'function' ||
    typeof r.scaled !== 'function' ||
    typeof r.lambda !== 'number' ||
    typeof r.isZero !== 'boolean' ||
    typeof r.groupwise !== 'boolean' ||
    typeof r.finite !== 'boolean'
  ) {
    throw new TypeError(
      `${name} must be a Regularizer from @bregman/core-prox (value, prox, subgradient, scaled, getConfig, lambda, isZero, groupwise, finite), got ${describe(J)}`,
    );
  }
}

/** A short description of a bad argument for an error message. */
function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object' && value !== null) return 'an object without them';
  return String(value);
}
