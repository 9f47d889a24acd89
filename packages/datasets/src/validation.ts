/** Throws unless `value` is an integer ≥ 1; the message names `name`. */
export function checkPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be an integer ≥ 1, got ${String(value)}`);
  }
}

/** Throws unless `value` is a safe integer (a seed); the message names `name`. */
export function checkSeed(name: string, value: number): void {
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`${name} must be a safe integer, got ${String(value)}`);
  }
}

/** Throws unless `value` is one of `allowed`; the message names `name` and lists them. */
export function checkOneOf<T extends string>(name: string, value: T, allowed: readonly T[]): void {
  if (!allowed.includes(value)) {
    throw new RangeError(
      `${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${String(value)}`,
    );
  }
}
