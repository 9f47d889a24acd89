import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { syncDirectory, writeFileAtomic } from './atomic-write.js';
import {
  decodeSparseWeights,
  encodeSparseWeights,
  SPARSE_WEIGHTS_FORMAT,
  type SparseWeightsEntry,
} from './sparse-weights.js';
import { concatBytes, weightBytes } from './weight-bytes.js';

/** The file name of a saved model's topology and weights manifest (as tfjs-node writes it). */
export const MODEL_JSON_FILE = 'model.json';

/** The file name of a saved model's weights (as tfjs-node writes it). */
export const WEIGHTS_FILE = 'weights.bin';

/** The file name of a model's weights saved with `weights: 'sparse'`. */
export const SPARSE_WEIGHTS_FILE = 'weights.sparse.bin';

/** Options of {@link fileSystemHandler}. */
export interface FileSystemHandlerOptions {
  /**
   * How `save` stores the weights: `'dense'` (default) as tfjs does, in `weights.bin`, which
   * every tfjs loader reads; `'sparse'` in `weights.sparse.bin`, each float32 weight with
   * many zeros as its non-zero values and the gaps between their indices (about 5 bytes per
   * non-zero entry instead of 4 per entry), which {@link fileSystemHandler} loads (other
   * tfjs loaders do not know the format). Loading reads either.
   */
  weights?: 'dense' | 'sparse';
}

/**
 * The `model.json` that {@link fileSystemHandler} writes: tfjs's `ModelJSON` plus the SHA-256
 * of the weights file it goes with, which tfjs and tfjs-node ignore.
 */
interface SavedModelJSON extends Omit<tf.io.ModelJSON, 'modelTopology'> {
  /** The topology (absent in a weights-only save). */
  modelTopology?: tf.io.ModelJSON['modelTopology'];
  /** Hex SHA-256 of `weights.bin`: detects a weights file that belongs to another save. */
  weightsSha256?: string;
  /** Present when the weights file is sparse: how each weight is stored. */
  sparseWeights?: { format: string; entries: SparseWeightsEntry[] };
}

/**
 * A `tf.io.IOHandler` that saves a model to a directory and loads it back, in Node, without
 * tfjs-node: `model.save(fileSystemHandler('out/model'))`,
 * `tf.loadLayersModel(fileSystemHandler('out/model'))`.
 *
 * - **Layout.** The same files as tfjs-node's `file://` handler: `<dir>/model.json`
 *   (topology, weights manifest, training config) and `<dir>/weights.bin` (all weights in
 *   one file), so tfjs-node, `tfjs-converter` and this handler read each other's models.
 * - **Saving** creates the directory (and its parents) when missing. Each file is written to
 *   a temporary file, flushed and renamed over the old one, `weights.bin` first, so that a
 *   crash never leaves a half-written file; `model.json` records the SHA-256 of its weights,
 *   so that a crash between the two renames (new weights, old topology) is an error on load
 *   rather than a model with the wrong weights.
 * - **Loading** takes the directory or the path of its `model.json`. A missing file, a file
 *   that is not a tfjs model JSON, a weights file of the wrong size or digest, or a manifest
 *   path outside the model's directory is an error that names the file.
 *
 * @param path - the model's directory (for loading also its `model.json`); a `file://` URL
 * has its scheme removed by {@link registerFileSystemRouter}, not here.
 */
export function fileSystemHandler(
  path: string,
  options: FileSystemHandlerOptions = {},
): tf.io.IOHandler {
  if (typeof path !== 'string' || path.length === 0) {
    throw new TypeError(
      `fileSystemHandler: path must be a non-empty string (a model directory, or for loading its model.json), got ${describe(path)}`,
    );
  }
  const { weights = 'dense' } = options ?? {};
  if (weights !== 'dense' && weights !== 'sparse') {
    throw new RangeError(
      `fileSystemHandler: options.weights must be 'dense' or 'sparse', got ${describe(weights)}`,
    );
  }
  const target = resolve(path);
  return {
    save: (artifacts) => saveModel(target, artifacts, weights === 'sparse'),
    load: () => loadModel(target),
  };
}

async function saveModel(
  dir: string,
  artifacts: tf.io.ModelArtifacts,
  sparse: boolean,
): Promise<tf.io.SaveResult> {
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    throw new Error(
      `fileSystemHandler: cannot save to ${dir}: the model's topology is binary (a GraphDef); only JSON topologies (tf.LayersModel) are supported`,
    );
  }
  if (dir.endsWith('.json')) {
    throw new Error(
      `fileSystemHandler: cannot save to ${dir}: a model is saved to a directory (it writes ${MODEL_JSON_FILE} and ${WEIGHTS_FILE} into it, as tfjs-node's file:// does); name the directory, e.g. ${dirname(dir)}`,
    );
  }
  const existing = await stat(dir).catch(() => undefined);
  if (existing && !existing.isDirectory()) {
    throw new Error(
      `fileSystemHandler: cannot save to ${dir}: it exists and is not a directory (a model is saved to a directory)`,
    );
  }
  await mkdir(dir, { recursive: true });
  const dense = new Uint8Array(
    artifacts.weightData === undefined
      ? new ArrayBuffer(0)
      : tf.io.CompositeArrayBuffer.join(artifacts.weightData),
  );
  const specs = artifacts.weightSpecs ?? [];
  const encoded = sparse ? encodeSparseWeights(specs, dense) : undefined;
  const weights = encoded ? encoded.bytes : dense;
  const weightsFile = sparse ? SPARSE_WEIGHTS_FILE : WEIGHTS_FILE;
  // a field the artifacts lack is left out of model.json (not written as undefined)
  const modelJSON: SavedModelJSON = {
    ...(artifacts.modelTopology != null ? { modelTopology: artifacts.modelTopology } : {}),
    weightsManifest: [{ paths: [weightsFile], weights: specs }],
    ...(artifacts.format != null ? { format: artifacts.format } : {}),
    ...(artifacts.generatedBy != null ? { generatedBy: artifacts.generatedBy } : {}),
    ...(artifacts.convertedBy != null ? { convertedBy: artifacts.convertedBy } : {}),
    ...(artifacts.trainingConfig != null ? { trainingConfig: artifacts.trainingConfig } : {}),
    ...(artifacts.signature != null ? { signature: artifacts.signature } : {}),
    ...(artifacts.userDefinedMetadata != null
      ? { userDefinedMetadata: artifacts.userDefinedMetadata }
      : {}),
    ...(artifacts.modelInitializer != null ? { modelInitializer: artifacts.modelInitializer } : {}),
    ...(artifacts.initializerSignature != null
      ? { initializerSignature: artifacts.initializerSignature }
      : {}),
    weightsSha256: sha256(weights),
    ...(encoded
      ? { sparseWeights: { format: SPARSE_WEIGHTS_FORMAT, entries: encoded.entries } }
      : {}),
  };
  // weights first: until model.json is renamed, the old model.json describes the directory
  await writeFileAtomic(join(dir, weightsFile), weights);
  await writeFileAtomic(join(dir, MODEL_JSON_FILE), JSON.stringify(modelJSON));
  // the weights file of the other layout, from an earlier save, belongs to no model now
  await rm(join(dir, sparse ? WEIGHTS_FILE : SPARSE_WEIGHTS_FILE), { force: true });
  await syncDirectory(dir);
  return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
}

async function loadModel(target: string): Promise<tf.io.ModelArtifacts> {
  const info = await stat(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') {
      throw new Error(
        `fileSystemHandler: cannot load a model from ${target}: it does not exist (expected a directory with ${MODEL_JSON_FILE} and ${WEIGHTS_FILE}, or the path of a ${MODEL_JSON_FILE})`,
      );
    }
    throw error;
  });
  const jsonPath = info.isDirectory() ? join(target, MODEL_JSON_FILE) : target;
  const text = await readFile(jsonPath, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') {
      throw new Error(
        `fileSystemHandler: cannot load a model from ${target}: ${jsonPath} does not exist`,
      );
    }
    throw error;
  });
  let modelJSON: SavedModelJSON;
  try {
    modelJSON = JSON.parse(text) as SavedModelJSON;
  } catch (error) {
    throw new Error(
      `fileSystemHandler: ${jsonPath} is not valid JSON (${(error as Error).message}): the file is damaged or is not a saved model`,
    );
  }
  checkModelJSON(jsonPath, modelJSON);
  return tf.io.getModelArtifactsForJSON(modelJSON as tf.io.ModelJSON, (manifest) =>
    loadWeights(jsonPath, manifest, modelJSON.weightsSha256, modelJSON.sparseWeights),
  );
}

function checkModelJSON(jsonPath: string, json: unknown): asserts json is SavedModelJSON {
  const problem =
    json === null || typeof json !== 'object' || Array.isArray(json)
      ? `it holds ${describe(json)}, not an object`
      : !('modelTopology' in json) && !('weightsManifest' in json)
        ? 'it has neither modelTopology nor weightsManifest'
        : 'weightsManifest' in json && !isManifest(json.weightsManifest)
          ? 'its weightsManifest is not a list of {paths: string[], weights: []}'
          : undefined;
  if (problem) {
    throw new Error(
      `fileSystemHandler: ${jsonPath} is not a tfjs model.json: ${problem} (model.save writes both)`,
    );
  }
}

function isManifest(value: unknown): value is tf.io.WeightsManifestConfig {
  return (
    Array.isArray(value) &&
    value.every(
      (group) =>
        group !== null &&
        typeof group === 'object' &&
        Array.isArray(group.paths) &&
        group.paths.every((p: unknown) => typeof p === 'string') &&
        Array.isArray(group.weights),
    )
  );
}

async function loadWeights(
  jsonPath: string,
  manifest: tf.io.WeightsManifestConfig,
  digest: string | undefined,
  sparse: SavedModelJSON['sparseWeights'],
): Promise<[tf.io.WeightsManifestEntry[], ArrayBuffer]> {
  const dir = dirname(jsonPath);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  const files: string[] = [];
  for (const group of manifest) {
    for (const name of group.paths) {
      const file = resolve(dir, name);
      const inside = relative(dir, file);
      if (inside.startsWith('..') || isAbsolute(inside)) {
        throw new Error(
          `fileSystemHandler: ${jsonPath} lists the weights file '${name}', which is outside the model's directory ${dir}`,
        );
      }
      const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') {
          throw new Error(
            `fileSystemHandler: cannot load the model of ${jsonPath}: its weights file ${file} does not exist`,
          );
        }
        throw error;
      });
      buffers.push(bytes);
      files.push(file);
    }
    specs.push(...group.weights);
  }
  const stored = concatBytes(buffers);
  const checkSize = (bytes: Uint8Array) => {
    const expected = expectedBytes(specs);
    if (expected !== undefined && expected !== bytes.length) {
      throw new Error(
        `fileSystemHandler: the weights of ${jsonPath} (${files.join(', ')}) have ${bytes.length} bytes, but its manifest describes ${expected}: the file is truncated or belongs to another model`,
      );
    }
  };
  if (!sparse) checkSize(stored);
  if (digest !== undefined && sha256(stored) !== digest) {
    throw new Error(
      `fileSystemHandler: ${files.join(', ')} is not the weights file ${jsonPath} was saved with (its SHA-256 differs): it is damaged, or a save was interrupted between writing the weights and the model.json`,
    );
  }
  const all = sparse ? decodeSparse(jsonPath, specs, sparse, stored) : stored;
  if (sparse) checkSize(all);
  return [specs, all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer];
}

function decodeSparse(
  jsonPath: string,
  specs: readonly tf.io.WeightsManifestEntry[],
  sparse: NonNullable<SavedModelJSON['sparseWeights']>,
  stored: Uint8Array,
): Uint8Array {
  if (sparse.format !== SPARSE_WEIGHTS_FORMAT) {
    throw new Error(
      `fileSystemHandler: ${jsonPath} stores its weights as '${String(sparse.format)}', which this version does not read (it reads '${SPARSE_WEIGHTS_FORMAT}')`,
    );
  }
  try {
    return decodeSparseWeights(specs, sparse.entries, stored);
  } catch (error) {
    throw new Error(
      `fileSystemHandler: the sparse weights of ${jsonPath} are damaged: ${(error as Error).message}`,
    );
  }
}

/** Bytes the weights of `specs` take, or undefined when it cannot be known (strings). */
function expectedBytes(specs: readonly tf.io.WeightsManifestEntry[]): number | undefined {
  let total = 0;
  for (const spec of specs) {
    const bytes = weightBytes(spec);
    if (bytes === undefined) return undefined;
    total += bytes;
  }
  return total;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
