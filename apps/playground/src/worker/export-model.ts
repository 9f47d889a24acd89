import { compactAsync } from '@bregman/models';
import * as tf from '@tensorflow/tfjs';
import type { CompactedModel } from '../protocol.js';

/** The downloaded files' base name: `playground-mlp.json` and `playground-mlp.weights.bin`. */
export const MODEL_FILE_PREFIX = 'playground-mlp';

/**
 * `compactAsync` of @bregman/models (dead neurons folded into the next layer's bias and
 * removed), saved in tfjs's layers format: the `model.json` text that points at one weights
 * file, and that file's bytes — what `tf.io.browserDownloads` writes. Loading it needs
 * `@bregman/models` imported (its `Standardize` layer).
 */
export async function exportCompacted(model: tf.LayersModel): Promise<CompactedModel> {
  const compacted = await compactAsync(model, { name: 'playground_mlp_compact' });
  try {
    let saved: tf.io.ModelArtifacts | undefined;
    await compacted.model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
      }),
    );
    if (!saved?.weightSpecs || saved.weightData === undefined) {
      throw new Error('internal: tfjs saved no weights');
    }
    const weightsFile = `${MODEL_FILE_PREFIX}.weights.bin`;
    const modelJson: tf.io.ModelJSON = {
      modelTopology: saved.modelTopology as object,
      ...(saved.format === undefined ? {} : { format: saved.format }),
      ...(saved.generatedBy === undefined ? {} : { generatedBy: saved.generatedBy }),
      convertedBy: saved.convertedBy ?? null,
      weightsManifest: [{ paths: [`./${weightsFile}`], weights: saved.weightSpecs }],
    };
    return {
      modelJson: JSON.stringify(modelJson),
      weightsFile,
      weights: tf.io.CompositeArrayBuffer.join(saved.weightData),
      params: { before: compacted.before.params, after: compacted.after.params },
      units: compacted.layers.map((l) => ({
        layer: l.name,
        before: l.unitsBefore,
        after: l.unitsAfter,
      })),
    };
  } finally {
    compacted.model.dispose();
  }
}
