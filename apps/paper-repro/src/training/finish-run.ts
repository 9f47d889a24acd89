import { join, relative } from 'node:path';
import { threshold, thresholdForDensity } from '@bregman/baselines';
import { Batcher, head } from '@bregman/datasets';
import { compactAsync } from '@bregman/models';
import * as tf from '@tensorflow/tfjs';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { RunData } from '../data/run-data.js';
import type { RunSpec } from '../shared/spec.js';
import { writeCheckpoint } from '../storage/checkpoint.js';
import type { FinishRecord, ModelReport } from '../storage/run-record.js';
import { batcherOptions, evaluate } from './evaluate.js';
import { modelSparsity } from './model-sparsity.js';

/** Test and (optionally) training accuracy and sparsity of a model. */
export async function modelReport(
  spec: RunSpec,
  model: LayersModel,
  data: RunData,
): Promise<ModelReport> {
  const test = await evaluate(model, data.test, spec);
  const trainImages = Math.min(spec.finish?.trainEvaluation ?? 0, data.train.count);
  const train = trainImages > 0 ? await evaluate(model, head(data.train, trainImages), spec) : null;
  const { l1Norm: _l1, ...sparsity } = await modelSparsity(model);
  return {
    testLoss: test.loss,
    testAccuracy: test.accuracy,
    trainAccuracy: train?.accuracy ?? null,
    trainImages,
    ...sparsity,
  };
}

/** The first Conv2D layer of a model (Fig. 1's feature maps), or undefined. */
export function firstConv(model: LayersModel) {
  return model.layers.find((l) => l.getClassName() === 'Conv2D');
}

/**
 * Saves the first conv layer's kernel and bias after `epoch` (Fig. 1) to
 * `<artifacts>/first-conv-e<epoch>.bin`; returns the file, or undefined without conv layers.
 */
export async function saveFirstConv(
  model: LayersModel,
  artifacts: string,
  epoch: number,
): Promise<string | undefined> {
  const conv = firstConv(model);
  if (!conv) return undefined;
  const path = join(artifacts, `first-conv-e${epoch}.bin`);
  const weights = conv.getWeights();
  const values = await Promise.all(weights.map(async (w) => (await w.data()) as Float32Array));
  writeCheckpoint(path, {
    state: { layer: conv.name, epoch },
    tensors: weights.map((w, i) => ({
      name: i === 0 ? 'kernel' : 'bias',
      shape: w.shape,
      dtype: 'float32' as const,
      values: values[i]!,
    })),
  });
  return path;
}

/**
 * What a finished run computes on its kept model (already loaded into `model`): its report,
 * `compact()`, denoised test samples, and, last because it changes the weights, the
 * thresholded model's report.
 */
export async function finishRun(
  spec: RunSpec,
  model: LayersModel,
  data: RunData,
  artifacts: string,
  outDir: string,
): Promise<FinishRecord> {
  const files: string[] = [];
  const result: FinishRecord = { kept: await modelReport(spec, model, data), artifacts: files };
  if (spec.finish?.compact) {
    const compacted = await compactAsync(model);
    result.compacted = {
      layers: compacted.layers.map((l) => ({
        name: l.name,
        before: l.unitsBefore,
        after: l.unitsAfter,
      })),
      paramsBefore: compacted.before.params,
      paramsAfter: compacted.after.params,
    };
    compacted.model.dispose();
  }
  const samples = spec.finish?.denoisedSamples ?? 0;
  if (samples > 0) {
    const path = join(artifacts, 'denoised.bin');
    const images = head(data.test, samples);
    const batcher = new Batcher(images, { ...batcherOptions(spec.data, samples), shuffle: false });
    const { x, y } = [...batcher.batches(0)][0]!;
    const output = tf.tidy(() => model.apply(x, { training: false }) as tf.Tensor);
    const side = Math.sqrt(x.shape[1] ?? 0);
    const named = { noisy: x, denoised: output, clean: y };
    const values = await Promise.all(
      Object.values(named).map(async (t) => (await t.data()) as Float32Array),
    );
    writeCheckpoint(path, {
      state: {
        images: samples,
        height: data.test.height,
        width: data.test.width,
        noiseStd: spec.data.noiseStd ?? 0,
      },
      tensors: Object.entries(named).map(([name, t], i) => ({
        name,
        shape: [t.shape[0]!, side, side],
        dtype: 'float32' as const,
        values: values[i]!,
      })),
    });
    tf.dispose([x, y, output]);
    files.push(relative(outDir, path));
  }
  if (spec.method.threshold) {
    const { groups, density } = spec.method.threshold;
    const chosen = groups === undefined ? {} : { groups };
    const epsilons: number[] = [];
    if (density === undefined) {
      epsilons.push(spec.method.threshold.epsilon ?? 0);
      await threshold(model, { epsilon: epsilons[0]!, ...chosen });
    } else {
      // one ε per layer kind, so that Dense and Conv2D layers each keep `density` of their units
      for (const kind of ['Dense', 'Conv2D']) {
        const part = { layers: model.layers.filter((l) => l.getClassName() === kind) };
        if (part.layers.length === 0) continue;
        const epsilon = await thresholdForDensity(part, density, groups);
        epsilons.push(epsilon);
        await threshold(part, { epsilon, ...chosen });
      }
    }
    result.thresholded = {
      ...(await modelReport(spec, model, data)),
      epsilon: Math.max(...epsilons),
    };
  }
  return result;
}
