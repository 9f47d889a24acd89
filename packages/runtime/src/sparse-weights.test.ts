import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  fileSystemHandler,
  MODEL_JSON_FILE,
  SPARSE_WEIGHTS_FILE,
  WEIGHTS_FILE,
} from './file-io-handler.js';
import { decodeSparseWeights, encodeSparseWeights } from './sparse-weights.js';

const root = mkdtempSync(join(tmpdir(), 'bregman-sparse-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(root, `model-${dirs++}`);

const bytesOf = (values: Float32Array | Int32Array) => new Uint8Array(values.buffer.slice(0));

describe('encodeSparseWeights / decodeSparseWeights', () => {
  it('round-trips bit for bit (−0 as +0): NaN, long gaps (multi-byte varints), dense and int32 weights kept as they are', () => {
    const sparse = new Float32Array(100_000);
    sparse[0] = -0; // a zero with the sign bit: dropped, comes back as +0
    sparse[1] = Number.NaN;
    sparse[2] = -1e-30;
    sparse[130] = 1.5; // gap 128: two varint bytes
    sparse[20_000] = -2.25; // gap ≥ 16384: three bytes
    sparse[99_999] = 3e-38;
    const dense = Float32Array.from({ length: 10 }, (_, i) => i + 0.5);
    const ints = Int32Array.from([0, 0, 0, 7, 0, 0]);
    const specs: tf.io.WeightsManifestEntry[] = [
      { name: 'a/kernel', shape: [100, 1000], dtype: 'float32' },
      { name: 'b/kernel', shape: [10], dtype: 'float32' },
      { name: 'c/steps', shape: [6], dtype: 'int32' },
    ];
    const data = new Uint8Array([...bytesOf(sparse), ...bytesOf(dense), ...bytesOf(ints)]);
    const { entries, bytes } = encodeSparseWeights(specs, data);
    expect(entries.map((e) => [e.name, e.encoding, e.nonZeros])).toEqual([
      ['a/kernel', 'sparse', 5],
      ['b/kernel', 'dense', undefined],
      ['c/steps', 'dense', undefined],
    ]);
    // 5 values (20 bytes) and gaps 1, 0, 127, 19869, 79998: 1 + 1 + 1 + 3 + 3 bytes, padded to 32
    expect(entries[0]!.byteLength).toBe(32);
    expect(bytes.length).toBe(32 + 40 + 24);
    const positiveZero = data.slice();
    positiveZero.set([0, 0, 0, 0], 0);
    expect(decodeSparseWeights(specs, entries, bytes)).toEqual(positiveZero);
  });

  it('a damaged file is an error that says what does not fit', () => {
    const specs: tf.io.WeightsManifestEntry[] = [{ name: 'k', shape: [1000], dtype: 'float32' }];
    const values = new Float32Array(1000);
    values[999] = 1;
    const { entries, bytes } = encodeSparseWeights(specs, bytesOf(values));
    expect(() => decodeSparseWeights(specs, entries, bytes.subarray(0, 4))).toThrow(
      "the sparse weights entry 0 ('k', 8 bytes) does not fit the manifest's 'k' or the file's 4 bytes",
    );
    const badGap = bytes.slice();
    badGap.fill(0xff, 4); // a varint that never ends inside the chunk
    expect(() => decodeSparseWeights(specs, entries, badGap)).toThrow(
      "the sparse weight 'k' has damaged index gaps",
    );
    expect(() => decodeSparseWeights(specs, [{ ...entries[0]!, nonZeros: 5000 }], bytes)).toThrow(
      "the sparse weight 'k' has a bad non-zero count 5000 for 1000 entries",
    );
  });
});

describe("fileSystemHandler(dir, { weights: 'sparse' })", () => {
  function sparseModel(): tf.Sequential {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [200], units: 100, activation: 'relu' }),
        tf.layers.dense({ units: 10 }),
      ],
    });
    // 5 % of the kernels non-zero, as after Bregman training
    for (const layer of model.layers) {
      const [kernel, bias] = layer.getWeights() as [tf.Tensor, tf.Tensor];
      tf.tidy(() => {
        const mask = tf.cast(
          tf.less(tf.randomUniform(kernel.shape, 0, 1, 'float32', 5), 0.05),
          'float32',
        );
        layer.setWeights([tf.mul(kernel, mask), tf.add(bias, 0.1)]);
      });
    }
    return model;
  }

  it('stores a sparse model in ≤ 1.5 × (non-zero weights × 4 bytes) and loads exactly the same weights', async () => {
    const model = sparseModel();
    const dir = freshDir();
    await model.save(fileSystemHandler(dir, { weights: 'sparse' }));
    expect(readdirSync(dir).sort()).toEqual([MODEL_JSON_FILE, SPARSE_WEIGHTS_FILE]);
    const nonZeros = model
      .getWeights()
      .reduce((n, w) => n + Array.from(w.dataSync()).filter((v) => v !== 0).length, 0);
    const onDisk = statSync(join(dir, SPARSE_WEIGHTS_FILE)).size;
    expect(onDisk).toBeLessThanOrEqual(1.5 * nonZeros * 4);
    const loaded = await tf.loadLayersModel(fileSystemHandler(dir));
    // the same numbers (a −0 of the masking comes back as +0)
    const values = (m: tf.LayersModel) =>
      m.getWeights().map((w) => Array.from(w.dataSync(), (v) => (v === 0 ? 0 : v)));
    expect(values(loaded)).toEqual(values(model));
    // saved densely over it: the sparse file goes, and back
    await model.save(fileSystemHandler(dir));
    expect(readdirSync(dir).sort()).toEqual([MODEL_JSON_FILE, WEIGHTS_FILE]);
    await model.save(fileSystemHandler(dir, { weights: 'sparse' }));
    expect(readdirSync(dir).sort()).toEqual([MODEL_JSON_FILE, SPARSE_WEIGHTS_FILE]);
    loaded.dispose();
    model.dispose();
  });

  it('a damaged sparse file, an unknown format or a bad option is an error that names it', async () => {
    const model = sparseModel();
    const dir = freshDir();
    await model.save(fileSystemHandler(dir, { weights: 'sparse' }));
    const json = JSON.parse(readFileSync(join(dir, MODEL_JSON_FILE), 'utf8'));
    writeFileSync(
      join(dir, MODEL_JSON_FILE),
      JSON.stringify({ ...json, sparseWeights: { ...json.sparseWeights, format: 'other/9' } }),
    );
    await expect(tf.loadLayersModel(fileSystemHandler(dir))).rejects.toThrow(
      "stores its weights as 'other/9', which this version does not read (it reads 'bregman-sparse-weights/1')",
    );
    writeFileSync(join(dir, SPARSE_WEIGHTS_FILE), 'short');
    await expect(tf.loadLayersModel(fileSystemHandler(dir))).rejects.toThrow('its SHA-256 differs');
    expect(() => fileSystemHandler(dir, { weights: 'packed' as 'dense' })).toThrow(
      `fileSystemHandler: options.weights must be 'dense' or 'sparse', got "packed"`,
    );
    model.dispose();
  });
});
