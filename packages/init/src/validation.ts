/** Throws unless `value` is a safe integer (or undefined); the message names `name`. */
export function checkSeed(name: string, value: number | undefined): void {
  if (value !== undefined && !Number.isSafeInteger(value)) {
    throw new RangeError(
      `${name} must be an integer (or left out for a random draw), got ${String(value)}`,
    );
  }
}

/** Throws unless `value` is one of `allowed`; the message names `name` and lists them. */
export function checkOneOf<T extends string>(
  name: string,
  value: unknown,
  allowed: readonly T[],
): asserts value is T {
  if (!allowed.includes(value as T)) {
    throw new RangeError(
      `${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(value)}`,
    );
  }
}
