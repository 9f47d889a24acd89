import { expect } from 'vitest';
import type { NestedNumbers } from './golden.js';

/** Flattens a nested number array in row-major order. */
export function flatten(values: NestedNumbers): number[] {
  return Array.isArray(values) ? values.flatMap(flatten) : [values];
}

/** The shape of a rectangular nested number array. */
export function shapeOf(values: NestedNumbers): number[] {
  const shape: number[] = [];
  let v: NestedNumbers = values;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0] as NestedNumbers;
  }
  return shape;
}

/**
 * Asserts `|actual − expected| ≤ rtol·|expected| + atol` entry by entry, naming the first
 * entry that is off. `atol` only absorbs float32 rounding around exact zeros.
 */
export function expectAllClose(
  actual: ArrayLike<number> | number,
  expected: NestedNumbers | ArrayLike<number>,
  {
    rtol = 1e-5,
    atol = 1e-7,
    label = 'value',
  }: { rtol?: number; atol?: number; label?: string } = {},
): void {
  const a = typeof actual === 'number' ? [actual] : Array.from(actual);
  const e =
    typeof expected === 'number' || Array.isArray(expected)
      ? flatten(expected as NestedNumbers)
      : Array.from(expected as ArrayLike<number>);
  expect(a.length, `${label}: number of entries`).toBe(e.length);
  for (let i = 0; i < e.length; i++) {
    const ai = a[i] as number;
    const ei = e[i] as number;
    const ok = Object.is(ai, ei) || Math.abs(ai - ei) <= rtol * Math.abs(ei) + atol;
    if (!ok) {
      expect.fail(
        `${label}[${i}] = ${ai}, expected ${ei} (|diff| ${Math.abs(ai - ei)} > ${rtol}·|expected| + ${atol})`,
      );
    }
  }
}
