import { expect, it } from 'vitest';
import { sparseRecovery } from './sparse-recovery.js';

it('the example finds x*: support from empty to exactly x*’s, error below 1e-3', () => {
  const { rows, s } = sparseRecovery();
  expect(rows[0]).toMatchObject({ step: 1, nonZeros: 0 });
  const last = rows.at(-1)!;
  expect(last).toMatchObject({ step: 1000, nonZeros: s, onSupport: s });
  expect(last.relativeError).toBeLessThan(1e-3);
});
