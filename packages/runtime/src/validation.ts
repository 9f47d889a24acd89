/** Throws unless `value` is an integer in `[0, 2³²)`; the message names `name`. */
export function checkSeed(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** 32) {
    throw new RangeError(`${name} must be an integer in [0, 2^32), got ${String(value)}`);
  }
}
