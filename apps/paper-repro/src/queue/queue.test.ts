// `pnpm repro --queue` end to end: a real redis-server on a free loopback port, the built
// planner and workers as separate processes, on fig2's smoke sweep (10 runs of 2 epochs).
// No test depends on the machine's speed: each step waits for what a process says or
// writes, with generous guards against a hang only.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { filesBelow, repro } from '../cli.test-helper.js';
import { EXPERIMENTS } from '../experiments/registry.js';
import { planRuns } from '../storage/plan.js';
import { readRunRecord } from '../storage/run-record.js';
import { lastingConnection } from './connect.js';
import {
  recordsByFile,
  redisUnavailable,
  startPlanner,
  startRedis,
  startWorker,
  type TestProcess,
  type TestRedis,
  trainings,
} from './queue.test-helper.js';
import { parseQueueUrl } from './queue-url.js';
import { QUEUE_NAME, runJobData, runJobName, runJobOptions } from './run-job.js';
import { HANG_AFTER_EPOCH_ENV } from './worker-settings.js';

const SWEEP = ['fig2', '--profile', 'smoke'];
/** Short locks, so that a killed worker's run is given out again within seconds. */
const WORKER_ARGS = ['--concurrency', '1', '--threads', '1', '--lock-seconds', '2'];
const RUNS = EXPERIMENTS.find((e) => e.id === 'fig2')!.runs('smoke').length;

const unavailable = redisUnavailable('queue.test.ts');
const started: TestProcess[] = [];
const servers: TestRedis[] = [];
afterEach(async () => {
  for (const p of started.splice(0)) p.killGroup();
  for (const s of servers.splice(0)) await s.stop();
});

async function redis(): Promise<TestRedis> {
  const server = await startRedis();
  servers.push(server);
  return server;
}
function track(p: TestProcess): TestProcess {
  started.push(p);
  return p;
}

/** The output of a process for a failed expectation. */
const said = (...ps: TestProcess[]) => ps.map((p) => p.err).join('\n----\n');

/** Waits until `count` records of the sweep in `out` are finished. */
async function finishedRecords(out: string, count: number): Promise<void> {
  const dir = join(out, 'fig2', 'runs');
  for (;;) {
    const done = existsSync(dir)
      ? readdirSync(dir).filter(
          (f) => f.endsWith('.json') && readRunRecord(join(dir, f))?.status === 'done',
        ).length
      : 0;
    if (done >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(unavailable !== undefined)('pnpm repro --queue with pnpm repro-worker', () => {
  let reference: Record<string, unknown>;
  beforeAll(() => {
    const out = mkdtempSync(join(tmpdir(), 'repro-queue-ref-'));
    const result = repro(...SWEEP, '--jobs', '1', '--threads', '1', '--out', out);
    expect(result.code, result.err).toBe(0);
    reference = recordsByFile(out, 'fig2');
  });
  afterAll(async () => {
    for (const s of servers.splice(0)) await s.stop();
  });

  it('a worker killed with kill -9 in the middle of a run: the other resumes it from its checkpoint, every record equals a --jobs 1 sweep, no run trained twice', async () => {
    const { url } = await redis();
    const out = mkdtempSync(join(tmpdir(), 'repro-queue-kill-'));
    const planner = track(startPlanner([...SWEEP, '--queue', url, '--out', out]));
    // worker A stops dead after the first epoch's checkpoint of its first run, as if hung
    const a = track(startWorker(url, WORKER_ARGS, { [HANG_AFTER_EPOCH_ENV]: '1' }));
    const [, killedRun] = await a.waitFor(/: (fig2\/\S+): hanging after epoch 1/);
    const b = track(startWorker(url, WORKER_ARGS));
    await b.waitFor(/training from the start/);
    a.killGroup(); // the worker and its sandboxed processor, kill -9
    expect(await a.exited).toBe(137);

    expect(await planner.exited, said(planner, a, b)).toBe(0);
    expect(b.err).toMatch(`${killedRun}: took over the run from`);
    const { fresh, resumed } = trainings(a.err, b.err);
    expect(resumed, said(a, b)).toEqual(new Map([[killedRun, [1]]]));
    expect(
      [...fresh.values()].every((n) => n === 1),
      said(a, b),
    ).toBe(true);
    expect(fresh.size).toBe(RUNS);
    expect(planner.err).toMatch(`${killedRun}: start, 2 epochs (resumed after epoch 1)`);
    expect(recordsByFile(out, 'fig2')).toEqual(reference);
    // no checkpoint, run lock or temporary file is left
    expect(filesBelow(out).filter((f) => /\.ckpt$|\.lock$|\.tmp-\d+$|\.stale-/.test(f))).toEqual(
      [],
    );
  });

  it('Redis stopped and started again (empty) in the middle of the sweep: the sweep completes with the same records, no run trained twice', async () => {
    const server = await redis();
    const out = mkdtempSync(join(tmpdir(), 'repro-queue-restart-'));
    const planner = track(startPlanner([...SWEEP, '--queue', server.url, '--out', out]));
    const a = track(startWorker(server.url, WORKER_ARGS));
    const b = track(startWorker(server.url, WORKER_ARGS));
    await finishedRecords(out, 1);
    await server.stop();
    await planner.waitFor(/lost the connection to Redis/);
    await server.start();

    expect(await planner.exited, said(planner, a, b)).toBe(0);
    // the queue came back empty: the planner enqueued the unfinished runs again
    expect(planner.err).toMatch(/is no longer in the queue .*enqueued again/);
    const { fresh } = trainings(a.err, b.err);
    expect(
      [...fresh.values()].every((n) => n === 1),
      said(a, b),
    ).toBe(true);
    expect(recordsByFile(out, 'fig2')).toEqual(reference);
  });

  it('a run that fails for good (a damaged checkpoint) is reported with its error after one try; the other runs finish (exit 1)', async () => {
    const { url } = await redis();
    const out = mkdtempSync(join(tmpdir(), 'repro-queue-fail-'));
    mkdirSync(join(out, 'fig2', 'checkpoints'), { recursive: true });
    writeFileSync(join(out, 'fig2', 'checkpoints', 'sgd-s1.ckpt'), 'not a checkpoint');
    const planner = track(startPlanner([...SWEEP, '--queue', url, '--out', out]));
    const worker = track(startWorker(url, WORKER_ARGS));

    expect(await planner.exited, said(planner, worker)).toBe(1);
    expect(planner.err).toMatch(
      /repro: fig2\/sgd-s1 failed: checkpoint .*sgd-s1\.ckpt: .*\(after 1 try\)/,
    );
    expect(worker.err).toMatch(/fig2\/sgd-s1 failed for good: checkpoint/);
    const records = recordsByFile(out, 'fig2');
    expect(Object.keys(records)).toHaveLength(RUNS);
    for (const [file, record] of Object.entries(records)) {
      expect(record.status, file).toBe(file === 'sgd-s1.json' ? 'failed' : 'done');
    }
  });

  it('a worker of another version (the run spec differs) puts the job back untouched and exits 2 saying why', async () => {
    const { url } = await redis();
    const out = mkdtempSync(join(tmpdir(), 'repro-queue-version-'));
    const spec = EXPERIMENTS.find((e) => e.id === 'fig2')!.runs('smoke')[0]!;
    const [run] = planRuns([spec], out, true);
    // what a planner of another version would enqueue: the same run, trained for 3 epochs
    const other = { ...run!, spec: { ...spec, epochs: 3 }, key: '0123456789abcdef' };
    const queue = new Queue(QUEUE_NAME, { connection: lastingConnection(parseQueueUrl(url)) });
    try {
      const job = await queue.add(
        runJobName(other.spec),
        runJobData(other, undefined, { dir: out, id: 'test', host: 'planner' }, {}),
        runJobOptions(other.key, 'test'),
      );
      const worker = track(startWorker(url, WORKER_ARGS));
      expect(await worker.exited, worker.err).toBe(2);
      expect(worker.err).toMatch(
        /put back fig2\/\S+: this worker plans fig2\/\S+ \(profile smoke\) as training \w+, the sweep as 0123456789abcdef \(the run spec differs\); this worker runs another version/,
      );
      const after = (await queue.getJob(job.id!))!;
      expect(await after.getState()).toBe('waiting');
      expect(after.attemptsMade).toBe(0);
      expect(readdirSync(out)).toEqual([]);
    } finally {
      await queue.close();
    }
  });
});
