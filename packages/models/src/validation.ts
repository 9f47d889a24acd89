/** Throws unless `value` is a finite number; the message names `name`. */
export function checkFinite(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RangeError(`${name} must be a finite number, got ${String(value)}`);
  }
}

/** Throws unless `shape` is a non-empty list of integers ≥ 1; the message names `name`. */
export function checkShape(name: string, shape: readonly number[]): void {
  if (
    !Array.isArray(shape) ||
    shape.length === 0 ||
    !shape.every((d) => Number.isInteger(d) && d >= 1)
  ) {
    throw new RangeError(
      `${name} must be a non-empty array of integers ≥ 1, got ${JSON.stringify(shape)}`,
    );
  }
}
