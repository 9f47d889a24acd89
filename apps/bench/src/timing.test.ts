import { describe, expect, it } from 'vitest';
import { timeInterleaved } from './timing.js';

describe('timeInterleaved', () => {
  it('starts each round one step later, so no step always runs first', async () => {
    const order: number[] = [];
    const steps = [0, 1, 2].map((k) => async () => {
      order.push(k);
    });
    const times = await timeInterleaved(steps, { steps: 3, warmup: 1 });
    expect(order).toEqual([0, 1, 2, 1, 2, 0, 2, 0, 1, 0, 1, 2]);
    // the warm-up round is not timed; every step has one time per timed round
    expect(times.map((t) => t.length)).toEqual([3, 3, 3]);
  });

  it('runs a step several times back to back where asked, each run timed', async () => {
    const order: number[] = [];
    const steps = [0, 1].map((k) => async () => {
      order.push(k);
    });
    const times = await timeInterleaved(steps, { steps: 2, warmup: 0, runs: [3, 1] });
    expect(order).toEqual([0, 0, 0, 1, 1, 0, 0, 0]);
    expect(times.map((t) => t.length)).toEqual([6, 2]);
  });

  it('starts each round of a step with its untimed lead-in runs where asked', async () => {
    const order: string[] = [];
    const steps = [0, 1].map((k) => async () => {
      order.push(`${k}`);
    });
    const times = await timeInterleaved(steps, { steps: 2, warmup: 0, runs: [2, 1], lead: [0, 2] });
    // round 0: step 0 twice, step 1 twice untimed then once; round 1 starts with step 1
    expect(order.join('')).toBe('00111' + '11100');
    // only the `runs` are timed, never the lead-in
    expect(times.map((t) => t.length)).toEqual([4, 2]);
  });
});
