import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expectFileError, fuzzParameters, mutate, thrownBy } from '@bregman/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LINBREG_MOMENTUM, tinySpec } from '../shared/test-spec.test-helper.js';
import {
  CorruptRunRecordError,
  type EpochRecord,
  type RunRecord,
  readRunRecord,
  writeRunRecord,
} from './run-record.js';
import { byteDamageArb, COMMITTED_RESULTS, committedResults } from './storage.test-helper.js';

function epoch(n: number): EpochRecord {
  return {
    epoch: n,
    trainLoss: n === 0 ? null : 1 / n,
    trainAccuracy: n === 0 ? null : 0.5 + n / 10,
    validationLoss: 2 - n / 10,
    validationAccuracy: 0.3 + n / 10,
    testLoss: 2.1 - n / 10,
    testAccuracy: 0.31 + n / 10,
    nTotal: 0.2,
    nLinear: 0.2,
    nConv: null,
    activeNeurons: [16, 10],
    l1Norm: 12.5,
    lambda: 0.01,
    learningRate: 0.1 / 2 ** n,
    seconds: 0.25,
  };
}

const record: RunRecord = {
  format: 1,
  key: '1c64eaf4eb313f1c',
  spec: tinySpec(LINBREG_MOMENTUM),
  status: 'running',
  backend: 'cpu',
  epochs: [epoch(0), epoch(1), epoch(2)],
  best: {
    epoch: 2,
    validationLoss: 1.8,
    validationAccuracy: 0.5,
    testAccuracy: 0.51,
    trainAccuracy: 0.7,
    nTotal: 0.2,
    nLinear: 0.2,
    nConv: null,
  },
  trainSeconds: 0.75,
  startedAt: '2026-12-02T16:00:00.000Z',
};

/** Reading `path` throws a CorruptRunRecordError naming it and saying what to do. */
function expectCorrupt(path: string, why: RegExp): CorruptRunRecordError {
  return expectFileError(
    thrownBy(() => readRunRecord(path)),
    CorruptRunRecordError,
    { path },
    /Delete the file to rerun that run/,
    why,
  );
}

function scratch(): string {
  return join(mkdtempSync(join(tmpdir(), 'record-')), 'runs', 'run.json');
}

describe('run records', () => {
  it('round-trip; an absent file is undefined', () => {
    const path = scratch();
    writeRunRecord(path, record);
    expect(readRunRecord(path)).toEqual(record);
    expect(readdirSync(dirname(path))).toEqual(['run.json']);
    expect(readRunRecord(join(dirname(path), 'absent.json'))).toBeUndefined();
  });

  it('a truncated or empty record is a CorruptRunRecordError, not a bare SyntaxError', () => {
    const path = scratch();
    writeRunRecord(path, record);
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, text.slice(0, text.length / 2));
    const error = expectCorrupt(path, /run\.json: not valid JSON \(.*\), probably cut short/);
    expect(error.cause).toBeInstanceOf(SyntaxError);
    writeFileSync(path, '');
    expectCorrupt(path, /not valid JSON/);
  });

  it('JSON that is not a run record of this version names what is wrong', () => {
    const path = scratch();
    writeRunRecord(path, record);
    const cases: Array<[unknown, RegExp]> = [
      [[record], /not a JSON object/],
      [null, /not a JSON object/],
      [{ ...record, format: 2 }, /format 2, not a run record of this version/],
      [{ ...record, key: 7 }, /key 7 is not a string/],
      [{ ...record, spec: 'x' }, /no spec/],
      [{ ...record, status: 'paused' }, /status "paused" \(allowed: running, done, failed\)/],
      [{ ...record, backend: undefined }, /backend undefined is not a string/],
      [{ ...record, startedAt: 0 }, /startedAt 0 is not a string/],
      [{ ...record, finishedAt: false }, /finishedAt false is not a string/],
      [{ ...record, trainSeconds: '1' }, /trainSeconds "1" is not a number/],
      [{ ...record, best: [] }, /best \[\] is neither null nor an object/],
      [{ ...record, finish: 3 }, /finish 3 is not an object/],
      [{ ...record, epochs: {} }, /no list of epochs/],
      [{ ...record, epochs: [epoch(0), 1] }, /epoch entry #1: not an object/],
      [{ ...record, epochs: [{ ...epoch(0), epoch: -1 }] }, /#0: epoch -1 is not a non/],
      [{ ...record, epochs: [{ ...epoch(0), nTotal: '0.2' }] }, /#0: nTotal "0.2" is not a number/],
      [
        { ...record, epochs: [{ ...epoch(0), activeNeurons: [1, '2'] }] },
        /activeNeurons \[1,"2"\]/,
      ],
    ];
    for (const [value, why] of cases) {
      writeFileSync(path, JSON.stringify(value));
      expectCorrupt(path, why);
    }
  });

  it("a diverged run's NaN, written by JSON as null, is still a record", () => {
    const path = scratch();
    const diverged = { ...record, status: 'failed' as const, error: 'non-finite loss' };
    diverged.epochs = [
      ...record.epochs,
      { ...epoch(3), trainLoss: Number.NaN, l1Norm: Number.NaN },
    ];
    writeRunRecord(path, diverged);
    expect(readRunRecord(path)?.epochs[3]?.trainLoss).toBeNull();
  });

  const committed = committedResults((f) => /(^|\/)runs\/[^/]+\.json$/.test(f));
  it.skipIf(committed.length === 0)('reads the run records committed in docs/results', () => {
    for (const file of committed) {
      expect(readRunRecord(join(COMMITTED_RESULTS, file))?.format).toBe(1);
    }
  });
});

/** Every path to a value inside `value` (object keys and array indices). */
function paths(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (typeof value !== 'object' || value === null) return [prefix];
  const entries = Array.isArray(value)
    ? value.map((v, i) => [i, v] as const)
    : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => paths(v, [...prefix, k]))];
}

/** A copy of `value` with the value at `path` replaced (or removed, for `undefined`). */
function replaced(value: unknown, path: Array<string | number>, by: unknown): unknown {
  if (path.length === 0) return by;
  const [head, ...rest] = path;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<
    string | number,
    unknown
  >;
  copy[head!] = replaced(copy[head!], rest, by);
  return copy;
}

describe('readRunRecord under fuzzing', () => {
  const path = scratch();
  writeRunRecord(path, record);
  const original = readFileSync(path);
  const everywhere = paths(JSON.parse(original.toString('utf8')));

  /** The record read back, or `undefined` after a CorruptRunRecordError naming the file. */
  function readOrCorrupt(): RunRecord | undefined {
    try {
      const read = readRunRecord(path);
      expect(read?.format).toBe(1);
      return read;
    } catch (error) {
      expectFileError(error, CorruptRunRecordError, { path });
      return undefined;
    }
  }

  it('damaged bytes: the record reads back or is a CorruptRunRecordError', () => {
    fc.assert(
      fc.property(byteDamageArb, (mutations) => {
        const damaged = mutate(original, mutations);
        writeFileSync(path, damaged);
        const read = readOrCorrupt();
        if (Buffer.compare(damaged, original) === 0) expect(read).toEqual(record);
      }),
      fuzzParameters(400),
    );
  });

  it('any field replaced by any JSON value: the record reads back or is a CorruptRunRecordError', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined)),
        (i, value) => {
          const at = everywhere[i % everywhere.length]!;
          writeFileSync(path, JSON.stringify(replaced(record, at, value)) ?? '');
          readOrCorrupt();
        },
      ),
      fuzzParameters(400),
    );
  });
});
