import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectFileError, fuzzParameters, mutate, thrownBy } from '@bregman/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Checkpoint,
  CorruptCheckpointError,
  readCheckpoint,
  type StoredTensor,
  writeCheckpoint,
} from './checkpoint.js';
import { byteDamageArb, COMMITTED_RESULTS, committedResults } from './storage.test-helper.js';

const checkpoint = {
  state: { epoch: 3, learningRate: 0.05, plateau: { best: null, badEpochs: 2 } },
  tensors: [
    {
      name: 'model/0',
      shape: [2, 3],
      dtype: 'float32' as const,
      values: new Float32Array([1, -2, 3.5, 0, 1e-30, -0]),
    },
    { name: 'optimizer/iter', shape: [], dtype: 'int32' as const, values: new Int32Array([42]) },
    { name: 'empty', shape: [0], dtype: 'float32' as const, values: new Float32Array(0) },
  ],
};

/** A header as the files store it: tensor entries with offsets and lengths, or anything. */
type RawHeader = { state?: unknown; tensors?: unknown } | unknown;

/** The header entries and body bytes of a checkpoint, laid out as the writer does. */
function layout(c: Checkpoint<unknown>): { header: RawHeader; body: Buffer } {
  let offset = 0;
  const tensors = c.tensors.map(({ name, shape, dtype, values }) => {
    const entry = { name, shape, dtype, offset, length: values.length };
    offset += values.byteLength;
    return entry;
  });
  const body = Buffer.concat(
    c.tensors.map(({ values }) => Buffer.from(values.buffer, values.byteOffset, values.byteLength)),
  );
  return { header: { state: c.state, tensors }, body };
}

/** Format 1 (no checksum), encoded independently of checkpoint.ts. */
function encodeV1(header: RawHeader, body: Uint8Array, headerLength?: number): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(12);
  prefix.write('BRGCKPT1', 0, 'latin1');
  prefix.writeUInt32LE(headerLength ?? json.length, 8);
  return Buffer.concat([prefix, json, body]);
}

/** Format 2 with a valid digest for whatever it holds: the structural checks must stand alone. */
function encodeV2(header: RawHeader, body: Uint8Array, headerLength?: number): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(12);
  prefix.write('BRGCKPT2', 0, 'latin1');
  prefix.writeUInt32LE(headerLength ?? json.length, 8);
  const digest = createHash('sha256').update(prefix).update(json).update(body).digest();
  return Buffer.concat([prefix, digest, json, body]);
}

/** Reading `path` throws a CorruptCheckpointError naming it, with a message matching `why`. */
function expectCorrupt(path: string, why: RegExp): CorruptCheckpointError {
  return expectFileError(
    thrownBy(() => readCheckpoint(path)),
    CorruptCheckpointError,
    { path },
    why,
  );
}

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'ckpt-'));
}

describe('checkpoints', () => {
  it('round-trip state and tensors bit for bit, leaving no temporary file', () => {
    const dir = scratch();
    const path = join(dir, 'nested', 'run.ckpt');
    writeCheckpoint(path, checkpoint);
    expect(readCheckpoint(path)).toEqual(checkpoint);
    expect(readdirSync(join(dir, 'nested'))).toEqual(['run.ckpt']);
    expect(readCheckpoint(join(dir, 'absent.ckpt'))).toBeUndefined();
  });

  it('format 2: magic, header length, SHA-256 of everything else, header, body', () => {
    const path = join(scratch(), 'run.ckpt');
    writeCheckpoint(path, checkpoint);
    const bytes = readFileSync(path);
    const { header, body } = layout(checkpoint);
    expect(bytes).toEqual(encodeV2(header, body));
    expect(bytes.toString('latin1', 0, 8)).toBe('BRGCKPT2');
    const headerLength = bytes.readUInt32LE(8);
    expect(JSON.parse(bytes.toString('utf8', 44, 44 + headerLength))).toEqual(header);
    const digest = createHash('sha256')
      .update(bytes.subarray(0, 12))
      .update(bytes.subarray(44))
      .digest();
    expect(bytes.subarray(12, 44)).toEqual(digest);
    expect(bytes.length).toBe(44 + headerLength + 6 * 4 + 4);
  });

  it('changed weight bytes are a CorruptCheckpointError, not a silent resume', () => {
    const path = join(scratch(), 'run.ckpt');
    const weights = new Float32Array(1000).map((_, i) => Math.sin(i));
    writeCheckpoint(path, oneTensor(weights));
    const bytes = readFileSync(path);
    const start = bytes.length - 4000 + 1000;
    for (let i = start; i < start + 400; i++) bytes[i] = 0xff - bytes[i]!;
    writeFileSync(path, bytes);
    expectCorrupt(path, /checksum mismatch/);
    // one flipped bit anywhere: in the header length, the digest, the header, the body
    for (const at of [9, 20, 50, bytes.length - 1]) {
      writeCheckpoint(path, oneTensor(weights));
      const flipped = readFileSync(path);
      flipped[at] = flipped[at]! ^ 0x10;
      writeFileSync(path, flipped);
      expectCorrupt(path, /./);
    }
  });

  it('a truncated, garbled or foreign file is a CorruptCheckpointError naming the file', () => {
    const path = join(scratch(), 'run.ckpt');
    writeCheckpoint(path, checkpoint);
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 2));
    expectCorrupt(path, /run\.ckpt: truncated at tensor 'optimizer\/iter'/);
    writeFileSync(path, bytes.subarray(0, 20));
    expectCorrupt(path, /run\.ckpt: truncated header/);
    writeFileSync(path, bytes.subarray(0, 60));
    expectCorrupt(path, /run\.ckpt: truncated header/);
    writeFileSync(path, Buffer.concat([bytes, Buffer.from([0])]));
    expectCorrupt(path, /1 unexpected bytes after the last tensor/);
    writeFileSync(path, 'hello world, not a checkpoint');
    expectCorrupt(path, /run\.ckpt: not a checkpoint/);
    writeFileSync(path, '');
    expectCorrupt(path, /run\.ckpt: not a checkpoint/);
    // a garbled header: not a bare SyntaxError
    const garbled = Buffer.from(bytes);
    garbled[44] = '}'.charCodeAt(0);
    writeFileSync(path, garbled);
    const error = expectCorrupt(path, /run\.ckpt: garbled header/);
    expect(error.cause).toBeInstanceOf(SyntaxError);
    writeFileSync(path, encodeV2([1, 2], Buffer.alloc(0)));
    expectCorrupt(path, /garbled header \(not an object with a tensor list\)/);
    writeFileSync(path, encodeV2({ state: 1 }, Buffer.alloc(0)));
    expectCorrupt(path, /garbled header/);
    const notUtf8 = encodeV1({ state: 'xx', tensors: [] }, Buffer.alloc(0));
    notUtf8[22] = 0xc3;
    writeFileSync(path, notUtf8);
    expectCorrupt(path, /garbled header/);
  });

  describe('header fields are checked, even under a valid checksum', () => {
    const { header, body } = layout(checkpoint);
    const entries = (header as { tensors: Record<string, unknown>[] }).tensors;
    const withEntry = (i: number, change: Record<string, unknown>) => ({
      state: checkpoint.state,
      tensors: entries.map((e, j) => (j === i ? { ...e, ...change } : e)),
    });
    const cases: Array<[string, RawHeader, RegExp, number?]> = [
      ['a bad dtype', withEntry(0, { dtype: 'float64' }), /'model\/0' has dtype "float64"/],
      ['a missing dtype', withEntry(0, { dtype: undefined }), /'model\/0' has dtype undefined/],
      ['a negative dimension', withEntry(0, { shape: [-2, -3] }), /shape \[-2,-3\]/],
      ['a fractional dimension', withEntry(0, { shape: [1.5, 4] }), /shape \[1\.5,4\]/],
      ['a non-list shape', withEntry(0, { shape: '2x3' }), /shape "2x3"/],
      ['a shape of another size', withEntry(0, { shape: [3, 3] }), /\(9 values\) but length 6/],
      [
        'a shape with a huge product',
        withEntry(0, { shape: [2 ** 40, 2 ** 40, 2 ** 40] }),
        /\(more than 2\^53 values\) but length 6/,
      ],
      [
        'a huge length',
        withEntry(0, { shape: [2 ** 40], length: 2 ** 40 }),
        /truncated at tensor 'model\/0'/,
      ],
      [
        'a length beyond 2^53',
        withEntry(0, { length: 2 ** 60 }),
        /has length 1152921504606847000$/,
      ],
      ['a negative length', withEntry(0, { length: -1 }), /length -1/],
      ['an offset outside the body', withEntry(1, { offset: 4096 }), /starts at body byte 4096/],
      ['overlapping tensors', withEntry(1, { offset: 0 }), /starts at body byte 0/],
      ['a negative offset', withEntry(1, { offset: -4 }), /offset -4/],
      ['a repeated name', withEntry(1, { name: 'model/0' }), /'model\/0' appears twice/],
      ['a missing name', withEntry(1, { name: 7 }), /tensor #1 has no name/],
      ['an entry that is no object', { state: 1, tensors: [null] }, /tensor #0 .* not an object/],
      [
        'a header length of 0xFFFFFFFF',
        header,
        /truncated header \(it claims 4294967295 bytes/,
        0xffffffff,
      ],
    ];
    for (const [what, bad, why, headerLength] of cases) {
      it(what, () => {
        const path = join(scratch(), 'run.ckpt');
        for (const encode of [encodeV2, encodeV1]) {
          writeFileSync(path, encode(bad, body, headerLength));
          expectCorrupt(path, why);
        }
      });
    }
  });

  it('reads format 1 files (no checksum), without noticing changed tensor bytes', () => {
    const path = join(scratch(), 'old.bin');
    const { header, body } = layout(checkpoint);
    writeFileSync(path, encodeV1(header, body));
    expect(readCheckpoint(path)).toEqual(checkpoint);
    const changed = Buffer.from(body);
    changed[0] = changed[0]! ^ 1;
    writeFileSync(path, encodeV1(header, changed));
    expect(readCheckpoint(path)?.tensors[0]?.values[0]).not.toBe(1);
    writeFileSync(path, encodeV1(header, body.subarray(0, body.length - 1)));
    expectCorrupt(path, /truncated at tensor 'optimizer\/iter'/);
  });

  const committed = committedResults((f) => f.endsWith('.bin'));
  it.skipIf(committed.length === 0)('reads the .bin files committed in docs/results', () => {
    for (const file of committed) {
      const read = readCheckpoint(join(COMMITTED_RESULTS, file));
      expect(read?.tensors.length).toBeGreaterThan(0);
    }
  });

  it('refuses to write a tensor it could not read back', () => {
    const path = join(scratch(), 'run.ckpt');
    const t = (change: Partial<StoredTensor>): StoredTensor => ({
      name: 'w',
      shape: [2],
      dtype: 'float32',
      values: new Float32Array(2),
      ...change,
    });
    const write =
      (...tensors: StoredTensor[]) =>
      () =>
        writeCheckpoint(path, { state: 1, tensors });
    expect(write(t({ shape: [3] }))).toThrow(/tensor 'w' has shape \[3\] \(3 values\) but 2/);
    expect(write(t({ values: new Int32Array(2) }))).toThrow(/not a Float32Array/);
    expect(write(t({ shape: [-1, -2] }))).toThrow(/non-negative integers/);
    expect(write(t({}), t({}))).toThrow(/tensor 'w' appears twice/);
    expect(existsSync(path)).toBe(false);
  });
});

/** A one-tensor checkpoint of `weights`. */
function oneTensor(weights: Float32Array): Checkpoint<unknown> {
  return {
    state: { epoch: 1 },
    tensors: [{ name: 'model/0', shape: [10, 100], dtype: 'float32', values: weights }],
  };
}

/** Tensors of up to 3 small dimensions with random names, dtypes and values; JSON state. */
const checkpointArb: fc.Arbitrary<Checkpoint<unknown>> = fc
  .record({
    state: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.parse(JSON.stringify(v) ?? 'null')),
    names: fc.uniqueArray(fc.string({ maxLength: 6 }), { maxLength: 4 }),
  })
  .chain(({ state, names }) =>
    fc
      .tuple(
        ...names.map((name) =>
          fc
            .record({
              shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
              int: fc.boolean(),
            })
            .chain(({ shape, int }) => {
              const n = shape.reduce((a, b) => a * b, 1);
              const values = int
                ? fc.int32Array({ minLength: n, maxLength: n })
                : fc.float32Array({ minLength: n, maxLength: n });
              return (values as fc.Arbitrary<Float32Array | Int32Array>).map(
                (v): StoredTensor => ({ name, shape, dtype: int ? 'int32' : 'float32', values: v }),
              );
            }),
        ),
      )
      .map((tensors) => ({ state, tensors })),
  );

/** One bit flipped in the last 64 bytes: in the tensor bytes of most checkpoints. */
const nearEndFlipArb = fc
  .tuple(fc.nat(), fc.integer({ min: 0, max: 7 }))
  .map(([i, bit]) => (b: Uint8Array) => {
    if (b.length === 0) return b;
    return mutate(b, [{ kind: 'flip', at: b.length - 1 - (i % Math.min(b.length, 64)), bit }]);
  });

/** The header length field overwritten with an extreme or random claim. */
const headerLengthArb = fc
  .oneof(fc.constantFrom(0xffffffff, 0x7fffffff, 0), fc.nat())
  .map((h) => (b: Uint8Array) => {
    const c = Buffer.from(b);
    if (c.length >= 12) c.writeUInt32LE(h >>> 0, 8);
    return c;
  });

/**
 * Byte-level damage: the shared truncations, bit flips, insertions and deletions (one to
 * three, or up to eight bit flips), a bit flip near the end, a claimed header length.
 */
const damageArb: fc.Arbitrary<(bytes: Uint8Array) => Uint8Array> = fc.oneof(
  {
    arbitrary: byteDamageArb.map((m) => (b: Uint8Array) => mutate(b, m)),
    weight: 4,
  },
  { arbitrary: nearEndFlipArb, weight: 1 },
  { arbitrary: headerLengthArb, weight: 1 },
);

/** Values a damaged or hostile header may hold where a number, name, shape or dtype belongs. */
const nastyArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown[]>(
    2 ** 40,
    2 ** 53,
    2 ** 60,
    0xffffffff,
    -1,
    0.5,
    1e308,
    null,
    '',
    'float64',
    [],
    [2 ** 40, 2 ** 40],
    [2 ** 20, 2 ** 20, 2 ** 20, 2 ** 20],
    [-1],
    [1e308],
    [0, 2 ** 60],
  ),
  fc.integer({ min: -8, max: 64 }),
  fc.array(fc.integer({ min: -2, max: 2 ** 31 }), { maxLength: 4 }),
  fc.jsonValue({ maxDepth: 2 }),
);

/** A header with one field of one entry (or the whole entry, list or header) replaced. */
const hostileHeaderArb = fc.record({
  index: fc.nat(),
  field: fc.constantFrom(
    'name',
    'shape',
    'dtype',
    'offset',
    'length',
    'entry',
    'tensors',
    'header',
  ),
  value: nastyArb,
});

/** Reads `path`; checks that it is either a CorruptCheckpointError naming it or a sane checkpoint. */
function readOrCorrupt(path: string, size: number): Checkpoint<unknown> | undefined {
  let read: Checkpoint<unknown> | undefined;
  try {
    read = readCheckpoint(path);
  } catch (error) {
    expectFileError(error, CorruptCheckpointError, { path });
    return undefined;
  }
  expect(read).toBeDefined();
  let bytes = 0;
  for (const { shape, dtype, values } of read!.tensors) {
    expect(values).toBeInstanceOf(dtype === 'int32' ? Int32Array : Float32Array);
    expect(values.length).toBe(shape.reduce((a, b) => a * b, 1));
    bytes += values.byteLength;
  }
  expect(bytes).toBeLessThanOrEqual(size);
  return read;
}

/** Equal state, names, shapes, dtypes and value bits. */
function expectSame(read: Checkpoint<unknown>, written: Checkpoint<unknown>): void {
  const bits = (c: Checkpoint<unknown>) =>
    c.tensors.map(({ values, ...t }) => ({
      ...t,
      bytes: Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('hex'),
    }));
  expect(read.state).toEqual(written.state);
  expect(bits(read)).toEqual(bits(written));
}

describe('readCheckpoint under fuzzing', () => {
  const path = join(scratch(), 'fuzz.ckpt');

  it('damaged bytes: format 2 throws CorruptCheckpointError on any change; format 1 reads or throws it', () => {
    fc.assert(
      fc.property(checkpointArb, damageArb, fc.boolean(), (c, damage, v1) => {
        const { header, body } = layout(c);
        if (v1) writeFileSync(path, encodeV1(header, body));
        else writeCheckpoint(path, c);
        const original = readFileSync(path);
        const damaged = damage(original);
        writeFileSync(path, damaged);
        const read = readOrCorrupt(path, damaged.length);
        if (Buffer.compare(damaged, original) === 0) expectSame(read!, c);
        else if (!v1) expect(read).toBeUndefined();
      }),
      fuzzParameters(400),
    );
  });

  it('hostile headers under a valid checksum: read consistently or CorruptCheckpointError', () => {
    fc.assert(
      fc.property(
        checkpointArb,
        hostileHeaderArb,
        fc.boolean(),
        (c, { index, field, value }, v1) => {
          const { header, body } = layout(c);
          const h = header as { state: unknown; tensors: Record<string, unknown>[] };
          let changed: unknown = h;
          if (field === 'header') changed = value;
          else if (field === 'tensors') changed = { ...h, tensors: value };
          else if (h.tensors.length > 0) {
            const i = index % h.tensors.length;
            const entry = field === 'entry' ? value : { ...h.tensors[i], [field]: value };
            changed = { ...h, tensors: h.tensors.map((e, j) => (j === i ? entry : e)) };
          }
          const bytes = (v1 ? encodeV1 : encodeV2)(changed, body);
          writeFileSync(path, bytes);
          readOrCorrupt(path, bytes.length);
        },
      ),
      fuzzParameters(400),
    );
  });
});
