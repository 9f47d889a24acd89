/** `0.1234` → `"12.3 %"`; `"–"` for NaN or undefined. */
export function percent(value: number | undefined, digits = 1): string {
  return value === undefined || Number.isNaN(value) ? '–' : `${(100 * value).toFixed(digits)} %`;
}

/** `12345.6` → `"12,346"`; `"–"` for NaN or undefined. */
export function integer(value: number | undefined): string {
  return value === undefined || Number.isNaN(value)
    ? '–'
    : Math.round(value).toLocaleString('en-US');
}

/** A byte count, e.g. `"12,345 bytes (12.1 KiB)"`. */
export function bytes(value: number): string {
  return value < 1024
    ? `${integer(value)} bytes`
    : `${integer(value)} bytes (${(value / 1024).toFixed(1)} KiB)`;
}
