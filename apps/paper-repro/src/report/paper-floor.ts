import type { MeanStd } from '../experiments/aggregate.js';
import type { PaperTable, TableField } from '../experiments/experiment.js';

/** How far a row's density may be from the paper's, relative (±30%). */
export const DENSITY_TOLERANCE = 0.3;
/** How far a row's test accuracy may be from the paper's, in percentage points. */
export const ACCURACY_TOLERANCE_POINTS = 3;

const DENSITY_FIELDS: readonly TableField[] = ['nTotal', 'nLinear', 'nConv'];

/** Header of the floor column. */
export const FLOOR_HEADER = `at the paper's point (N ±${100 * DENSITY_TOLERANCE}%, test acc. ±${ACCURACY_TOLERANCE_POINTS} pt)`;

/** Whether a table has what the floor compares: a density column and test accuracy. */
export function hasFloor(table: PaperTable): boolean {
  const fields = table.columns.map((c) => c.field);
  return fields.includes('testAccuracy') && fields.some((f) => DENSITY_FIELDS.includes(f));
}

/**
 * `value` with `digits` decimals, or more (up to 4) while the rounded number would read as
 * inside or on the limit (`outside` false): a gap of 3.04 points shows as 3.04, not 3.0.
 */
function outsideDigits(value: number, outside: (shown: number) => boolean, digits: number): string {
  let d = digits;
  while (d < 4 && !outside(Number(value.toFixed(d)))) d++;
  return value.toFixed(d);
}

/**
 * Whether a table row is at the paper's point: each density within ±30% (relative) of the
 * paper's and the test accuracy within ±3 points (the floor of Tables 1–2 at the quick
 * budget). `ours` holds the row's means over seeds (shares in [0, 1]); `paper` the paper's
 * row (percentages). `yes`, `no: …` with what misses, or `–` when either side lacks a value.
 */
export function floorCell(
  table: PaperTable,
  ours: Partial<Record<TableField, MeanStd>>,
  paper: Record<string, unknown> | undefined,
): string {
  const misses: string[] = [];
  for (const column of table.columns) {
    const mine = ours[column.field];
    const theirs = paper?.[column.reference];
    const isDensity = DENSITY_FIELDS.includes(column.field);
    if (!isDensity && column.field !== 'testAccuracy') continue;
    if (!mine || mine.n === 0 || typeof theirs !== 'number') return '–';
    const value = 100 * mine.mean;
    const name = column.header.replace(/ \[%\]$/, '');
    if (isDensity) {
      const ratio = value / theirs;
      if (Math.abs(ratio - 1) > DENSITY_TOLERANCE) {
        const shown = outsideDigits(ratio, (r) => Math.abs(r - 1) > DENSITY_TOLERANCE + 1e-9, 2);
        misses.push(`${name} ${shown}× the paper's`);
      }
    } else if (Math.abs(value - theirs) > ACCURACY_TOLERANCE_POINTS) {
      const gap = value - theirs;
      const shown = outsideDigits(Math.abs(gap), (g) => g > ACCURACY_TOLERANCE_POINTS + 1e-9, 1);
      misses.push(`${name} ${gap >= 0 ? '+' : '−'}${shown} pt`);
    }
  }
  return misses.length === 0 ? 'yes' : `no: ${misses.join(', ')}`;
}
