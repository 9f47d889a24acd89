/**
 * Throws unless `value` is a finite number > 0; the message names `name`. One of the
 * argument checks every `@bregman/*` package shares (one place for their messages).
 */
export function checkPositive(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${name} must be a finite number > 0, got ${String(value)}`);
  }
}

/** Throws unless `value` is a finite number ≥ 0; the message names `name`. */
export function checkNonNegative(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a finite number ≥ 0, got ${String(value)}`);
  }
}

/** Throws unless `0 < value ≤ 1`; the message names `name`. */
export function checkFraction(name: string, value: number): void {
  if (typeof value !== 'number' || !(value > 0 && value <= 1)) {
    throw new RangeError(`${name} must be a number in (0, 1], got ${String(value)}`);
  }
}

/** Throws unless `0 ≤ value < 1`; the message names `name`. */
export function checkUnitInterval(name: string, value: number): void {
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) {
    throw new RangeError(`${name} must be a number in [0, 1), got ${String(value)}`);
  }
}

/** Throws unless `value` is an integer ≥ `min`; the message names `name`. */
export function checkInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer ≥ ${min}, got ${String(value)}`);
  }
}

/** Throws unless `value` is an integer ≥ 0; the message names `name`. */
export function checkCount(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${name} must be an integer ≥ 0, got ${String(value)}`);
  }
}
