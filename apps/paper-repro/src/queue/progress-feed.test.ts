import { describe, expect, it } from 'vitest';
import type { EpochRecord } from '../storage/run-record.js';
import type { RunEvent } from '../training/run-events.js';
import { ProgressFeed } from './progress-feed.js';
import type { RunJobProgress } from './run-job.js';

const start: RunEvent = { type: 'start', runId: 'r', experiment: 'fig2', epochs: 2, fromEpoch: 0 };
const epoch = (n: number): RunEvent => ({
  type: 'epoch',
  runId: 'r',
  record: { epoch: n } as EpochRecord,
});
const batch: RunEvent = { type: 'batch', runId: 'r', epoch: 1, batch: 3, batches: 8 };
const training = (worker: string, attempt: number, events: RunEvent[]): RunJobProgress => ({
  kind: 'training',
  worker,
  attempt,
  events,
});

describe('ProgressFeed', () => {
  it('passes each event of a try once, the latest batch each time, and announces each try', () => {
    const events: RunEvent[] = [];
    const tries: string[] = [];
    const feed = new ProgressFeed(
      (e) => events.push(e),
      (job, worker, attempt) => tries.push(`${job} ${worker} ${attempt}`),
    );
    feed.update('j', training('a:1', 1, [start, epoch(0), batch]));
    feed.update('j', training('a:1', 1, [start, epoch(0), batch]));
    feed.update('j', training('a:1', 1, [start, epoch(0), epoch(1)]));
    expect(events).toEqual([start, epoch(0), batch, batch, epoch(1)]);
    // another worker resumes it: its events are shown from its start
    const resumed: RunEvent = { ...start, fromEpoch: 1 } as RunEvent;
    feed.update('j', training('b:2', 1, [resumed]));
    expect(events.at(-1)).toEqual(resumed);
    expect(tries).toEqual(['j a:1 1', 'j b:2 1']);
    feed.update('j', { kind: 'refused', worker: 'c:3', reason: 'version' });
    expect(events).toHaveLength(6);
  });

  it("holds back a failed try's end (the run may be tried again) and ends each run once", () => {
    const events: RunEvent[] = [];
    const feed = new ProgressFeed(
      (e) => events.push(e),
      () => {},
    );
    const failed: RunEvent = { type: 'end', runId: 'r', status: 'failed', message: 'lost' };
    feed.update('j', training('a:1', 1, [start, failed]));
    expect(events).toEqual([start]);
    const done: RunEvent = { type: 'end', runId: 'r', status: 'done' };
    feed.update('j', training('a:1', 2, [start, done]));
    feed.end('j', { type: 'end', runId: 'r', status: 'done' }, 'fig2/r');
    expect(events).toEqual([start, start, done]);
    // a run none of whose events was seen is named in full
    feed.end('k', { type: 'end', runId: 's', status: 'done' }, 'fig2/s');
    expect(events.at(-1)).toEqual({ type: 'end', runId: 'fig2/s', status: 'done' });
  });
});
