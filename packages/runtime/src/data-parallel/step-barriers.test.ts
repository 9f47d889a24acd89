import { describe, expect, it } from 'vitest';
import { StepBarriers } from './step-barriers.js';

const barriersOf = (threads: number) => new StepBarriers(StepBarriers.allocate(), threads);

describe('StepBarriers (one thread plays every part, so nothing waits)', () => {
  it('a step posted before a stop is still run: the stop ends the loop only after it', () => {
    // the main thread abandons step 1 (its shard threw) and stops the loops at once
    const barriers = barriersOf(2);
    expect(barriers.post(8)).toBe(1);
    barriers.markFailed(1);
    barriers.stop();
    expect(barriers.next(0)).toBe(1);
    expect(barriers.batchSize).toBe(8);
    expect(barriers.failed(1)).toBe(true);
    expect(barriers.next(1)).toBe(0);
  });

  it('counts arrivals over all steps: a step is past a barrier once every thread reached it in that step', () => {
    const barriers = barriersOf(2);
    for (let step = 1; step <= 3; step++) {
      expect(barriers.post(4)).toBe(step);
      barriers.arrive('published');
      barriers.arrive('published');
      expect(barriers.waitBlocking('published', step)).toBe(true);
      barriers.arrive('reduced');
      barriers.arrive('reduced');
      expect(barriers.waitBlocking('reduced', step)).toBe(true);
      expect(barriers.failed(step)).toBe(false);
    }
    expect(barriers.posted).toBe(3);
  });

  it('a failed step is that step only; a resumed loop sees the steps posted after it', () => {
    const barriers = barriersOf(3);
    barriers.post(6);
    barriers.markFailed(1);
    barriers.post(6);
    expect(barriers.failed(1)).toBe(true);
    expect(barriers.failed(2)).toBe(false);
    barriers.stop();
    barriers.resume();
    barriers.post(6);
    expect(barriers.next(2)).toBe(3);
  });

  it('abort releases every wait, and ends the loops even with steps posted', async () => {
    const barriers = barriersOf(2);
    barriers.post(2);
    barriers.arrive('published');
    barriers.abort();
    expect(barriers.waitBlocking('published', 1)).toBe(false);
    expect(await barriers.waitFor('reduced', 1)).toBe(false);
    expect(barriers.next(0)).toBe(0);
  });
});
