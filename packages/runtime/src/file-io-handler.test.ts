import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { fileSystemHandler, MODEL_JSON_FILE, WEIGHTS_FILE } from './file-io-handler.js';
import { registerFileSystemRouter } from './file-system-router.js';

const root = mkdtempSync(join(tmpdir(), 'bregman-file-io-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(root, `model-${dirs++}`);

function smallModel(seed = 1): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [5],
        units: 7,
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotNormal({ seed }),
        biasInitializer: tf.initializers.randomUniform({ minval: 0, maxval: 1, seed }),
      }),
      tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotNormal({ seed }) }),
    ],
  });
  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  return model;
}

const input = tf.randomNormal([4, 5], 0, 1, 'float32', 3);
const predict = (model: tf.LayersModel) =>
  Array.from((model.predict(input) as tf.Tensor).dataSync());

/** tfjs-node's own file:// handler (its IO code runs without libtensorflow), if installed. */
const nodeFileSystem = (() => {
  try {
    const require = createRequire(import.meta.url);
    return require('@tensorflow/tfjs-node/dist/io/file_system.js').fileSystem as (
      path: string,
    ) => tf.io.IOHandler;
  } catch {
    return undefined;
  }
})();

describe('fileSystemHandler', () => {
  it('saves model.json and weights.bin into a new directory and loads the same predictions back', async () => {
    const model = smallModel();
    const dir = join(freshDir(), 'nested');
    const result = await model.save(fileSystemHandler(dir));
    expect(result.modelArtifactsInfo.weightDataBytes).toBe((5 * 7 + 7 + 7 * 3 + 3) * 4);
    expect(readdirSync(dir).sort()).toEqual([MODEL_JSON_FILE, WEIGHTS_FILE]); // no temporary file left
    const json = JSON.parse(readFileSync(join(dir, MODEL_JSON_FILE), 'utf8'));
    expect(json.weightsManifest[0].paths).toEqual([WEIGHTS_FILE]);
    expect(json.modelTopology.config.layers).toHaveLength(2);

    for (const from of [dir, join(dir, MODEL_JSON_FILE)]) {
      const loaded = await tf.loadLayersModel(fileSystemHandler(from));
      expect(predict(loaded)).toEqual(predict(model));
      loaded.dispose();
    }
    model.dispose();
  });

  it('overwrites an earlier save in place', async () => {
    const dir = freshDir();
    const first = smallModel(1);
    const second = smallModel(2);
    await first.save(fileSystemHandler(dir));
    await second.save(fileSystemHandler(dir));
    expect(readdirSync(dir).sort()).toEqual([MODEL_JSON_FILE, WEIGHTS_FILE]);
    const loaded = await tf.loadLayersModel(fileSystemHandler(dir));
    expect(predict(loaded)).toEqual(predict(second));
    expect(predict(loaded)).not.toEqual(predict(first));
    for (const m of [first, second, loaded]) m.dispose();
  });

  it('after a crash between the two renames (new weights, old model.json) loading fails instead of mixing models', async () => {
    const [a, b] = [smallModel(1), smallModel(2)];
    const [dirA, dirB] = [freshDir(), freshDir()];
    await a.save(fileSystemHandler(dirA));
    await b.save(fileSystemHandler(dirB));
    // a save of b into dirA killed after renaming weights.bin, before renaming model.json,
    // with the temporary model.json it was writing left behind
    writeFileSync(join(dirA, WEIGHTS_FILE), readFileSync(join(dirB, WEIGHTS_FILE)));
    writeFileSync(join(dirA, `${MODEL_JSON_FILE}.tmp-1-abc`), '{"modelTop');
    await expect(tf.loadLayersModel(fileSystemHandler(dirA))).rejects.toThrow(
      'a save was interrupted between writing the weights and the model.json',
    );
    // the next save repairs the directory
    await b.save(fileSystemHandler(dirA));
    const loaded = await tf.loadLayersModel(fileSystemHandler(dirA));
    expect(predict(loaded)).toEqual(predict(b));
    for (const m of [a, b, loaded]) m.dispose();
  });

  it.skipIf(!nodeFileSystem)(
    "writes what tfjs-node's file:// handler reads, and reads what it writes",
    async () => {
      const model = smallModel();
      const ours = freshDir();
      await model.save(fileSystemHandler(ours));
      const byNode = await tf.loadLayersModel(nodeFileSystem!(join(ours, MODEL_JSON_FILE)));
      expect(predict(byNode)).toEqual(predict(model));

      const theirs = freshDir();
      await model.save(nodeFileSystem!(theirs));
      expect(readdirSync(theirs).sort()).toEqual(readdirSync(ours).sort());
      const byUs = await tf.loadLayersModel(fileSystemHandler(theirs));
      expect(predict(byUs)).toEqual(predict(model));
      for (const m of [model, byNode, byUs]) m.dispose();
    },
  );

  it('refuses to load a missing or damaged model with an error that names the file', async () => {
    const missing = join(root, 'no-such-model');
    await expect(tf.loadLayersModel(fileSystemHandler(missing))).rejects.toThrow(
      `fileSystemHandler: cannot load a model from ${missing}: it does not exist`,
    );
    const empty = freshDir();
    rmSync(empty, { recursive: true, force: true });
    await smallModel().save(fileSystemHandler(empty));
    rmSync(join(empty, MODEL_JSON_FILE));
    await expect(tf.loadLayersModel(fileSystemHandler(empty))).rejects.toThrow(
      `${join(empty, MODEL_JSON_FILE)} does not exist`,
    );

    const model = smallModel();
    const dir = freshDir();
    await model.save(fileSystemHandler(dir));
    const jsonPath = join(dir, MODEL_JSON_FILE);
    const weightsPath = join(dir, WEIGHTS_FILE);
    const json = readFileSync(jsonPath, 'utf8');
    const weights = readFileSync(weightsPath);

    writeFileSync(jsonPath, json.slice(0, json.length / 2));
    await expect(tf.loadLayersModel(fileSystemHandler(dir))).rejects.toThrow(
      new RegExp(`fileSystemHandler: ${escapeRegExp(jsonPath)} is not valid JSON`),
    );
    writeFileSync(jsonPath, '[1, 2]');
    await expect(tf.loadLayersModel(fileSystemHandler(jsonPath))).rejects.toThrow(
      `fileSystemHandler: ${jsonPath} is not a tfjs model.json: it holds 1,2, not an object`,
    );
    writeFileSync(jsonPath, json);

    writeFileSync(weightsPath, weights.subarray(0, weights.length - 4));
    await expect(tf.loadLayersModel(fileSystemHandler(dir))).rejects.toThrow(
      `fileSystemHandler: the weights of ${jsonPath} (${weightsPath}) have ${weights.length - 4} bytes, but its manifest describes ${weights.length}`,
    );
    const flipped = Buffer.from(weights);
    flipped[0] = flipped[0]! ^ 0xff;
    writeFileSync(weightsPath, flipped);
    await expect(tf.loadLayersModel(fileSystemHandler(dir))).rejects.toThrow(
      `fileSystemHandler: ${weightsPath} is not the weights file ${jsonPath} was saved with`,
    );
    rmSync(weightsPath);
    await expect(tf.loadLayersModel(fileSystemHandler(dir))).rejects.toThrow(
      `its weights file ${weightsPath} does not exist`,
    );

    const outside = JSON.parse(json);
    outside.weightsManifest[0].paths = ['../elsewhere.bin'];
    writeFileSync(jsonPath, JSON.stringify(outside));
    await expect(tf.loadLayersModel(fileSystemHandler(dir))).rejects.toThrow(
      "lists the weights file '../elsewhere.bin', which is outside the model's directory",
    );
    model.dispose();
  });

  it('refuses bad save targets and bad paths clearly', async () => {
    const model = smallModel();
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    await expect(model.save(fileSystemHandler(file))).rejects.toThrow(
      `fileSystemHandler: cannot save to ${file}: it exists and is not a directory`,
    );
    const json = join(root, 'out', 'model.json');
    await expect(model.save(fileSystemHandler(json))).rejects.toThrow(
      `fileSystemHandler: cannot save to ${json}: a model is saved to a directory`,
    );
    expect(existsSync(join(root, 'out'))).toBe(false);
    expect(() => fileSystemHandler('')).toThrow(
      'fileSystemHandler: path must be a non-empty string',
    );
    expect(() => fileSystemHandler(undefined as never)).toThrow(/got undefined/);
    model.dispose();
  });
});

describe('registerFileSystemRouter', () => {
  it('routes file:// URLs to fileSystemHandler once registered, and only once', async () => {
    const url = `file://${freshDir()}`;
    const model = smallModel();
    await expect(model.save(url)).rejects.toThrow(/Cannot find any save handlers/);
    expect(registerFileSystemRouter()).toBe(true);
    expect(registerFileSystemRouter()).toBe(false);
    await model.save(url);
    const loaded = await tf.loadLayersModel(`${url}/${MODEL_JSON_FILE}`);
    expect(predict(loaded)).toEqual(predict(model));
    for (const m of [model, loaded]) m.dispose();
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
