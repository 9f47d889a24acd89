import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fig2 } from '../experiments/fig2.js';
import { fig3 } from '../experiments/fig3.js';
import { ConfigurationMismatchError, copyFinished, planRuns, runPaths } from './plan.js';
import { runKey } from './run-key.js';
import { type RunRecord, readRunRecord, writeRunRecord } from './run-record.js';

function finished(spec: RunRecord['spec']): RunRecord {
  return {
    format: 1,
    key: runKey(spec),
    spec,
    status: 'done',
    backend: 'cpu',
    epochs: [],
    best: null,
    trainSeconds: 1,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:01.000Z',
  };
}

describe('planRuns', () => {
  const specs = [...fig2.runs('smoke'), ...fig3.runs('smoke')];

  it('trains a configuration once even when two experiments contain it (fig3 reuses fig2’s LinBreg λ = 0.1 and SGD)', () => {
    const out = mkdtempSync(join(tmpdir(), 'plan-'));
    const plan = planRuns(specs, out, false);
    expect(specs).toHaveLength(18);
    expect(plan).toHaveLength(14);
    const shared = plan
      .filter((p) => p.copies.length > 0)
      .map((p) => p.spec.runId)
      .sort();
    expect(shared).toEqual(['linbreg-l0.1-s1', 'linbreg-l0.1-s2', 'sgd-s1', 'sgd-s2']);
    expect(plan.every((p) => p.start === 'fresh')).toBe(true);
    expect(new Set(plan.map((p) => p.key)).size).toBe(plan.length);
  });

  it('skips finished runs, resumes from checkpoints only with resume, and copies shared records', () => {
    const out = mkdtempSync(join(tmpdir(), 'plan-'));
    const sgd = fig3.runs('smoke').find((s) => s.runId === 'sgd-s1')!;
    const paths = runPaths(out, sgd);
    writeRunRecord(paths.record, finished(sgd));
    const linbreg = fig2.runs('smoke').find((s) => s.runId === 'linbreg-l0.001-s1')!;
    writeRunRecord(runPaths(out, linbreg).record, { ...finished(linbreg), status: 'running' });
    writeRunRecord(runPaths(out, linbreg).checkpoint, finished(linbreg)); // any file will do

    const plan = planRuns(specs, out, true);
    const sgdRun = plan.find((p) => p.spec.runId === 'sgd-s1')!;
    expect(sgdRun.start).toBe('done');
    expect(sgdRun.spec.experiment).toBe('fig3'); // the slot that holds the finished training
    expect(sgdRun.copies.map((c) => c.spec.experiment)).toEqual(['fig2']);
    expect(plan.find((p) => p.spec.runId === 'linbreg-l0.001-s1')!.start).toBe('resume');
    expect(
      planRuns(specs, out, false).find((p) => p.spec.runId === 'linbreg-l0.001-s1')!.start,
    ).toBe('fresh');

    copyFinished(sgdRun);
    const copy = readRunRecord(
      runPaths(out, fig2.runs('smoke').find((s) => s.runId === 'sgd-s1')!).record,
    )!;
    expect(copy.status).toBe('done');
    expect(copy.spec.experiment).toBe('fig2');
    expect(copy.key).toBe(sgdRun.key);
  });

  it('the checkpoint that a kill between a run’s last record and its cleanup leaves is removed', () => {
    const out = mkdtempSync(join(tmpdir(), 'plan-'));
    const spec = fig2.runs('smoke')[0]!;
    const paths = runPaths(out, spec);
    writeRunRecord(paths.record, finished(spec));
    mkdirSync(dirname(paths.checkpoint), { recursive: true });
    writeFileSync(paths.checkpoint, 'left behind');
    const [run] = planRuns([spec], out, true);
    expect(run!.start).toBe('done');
    copyFinished(run!);
    expect(existsSync(paths.checkpoint)).toBe(false);
  });

  it('a record of another configuration at a run’s path is an error, never overwritten', () => {
    const out = mkdtempSync(join(tmpdir(), 'plan-'));
    const quick = fig2.runs('quick')[0]!;
    writeRunRecord(runPaths(out, quick).record, finished(quick));
    expect(() => planRuns(fig2.runs('smoke'), out, false)).toThrow(ConfigurationMismatchError);
    expect(() => planRuns(fig2.runs('smoke'), out, false)).toThrow(
      /was made with another configuration \(profile 'quick', 100 epochs\); pass --out DIR/,
    );
    expect(existsSync(runPaths(out, quick).record)).toBe(true);
  });
});
