import { compactAsync } from '@bregman/models';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { RunData } from '../data/run-data.js';
import type { RunSpec } from '../shared/spec.js';
import type { EpochRecord, RunRecord } from '../storage/run-record.js';
import { lambdaOf } from './build.js';
import { type Evaluation, evaluate } from './evaluate.js';
import { modelSparsity } from './model-sparsity.js';
import { readWeights } from './run-checkpoint.js';

/**
 * Evaluates and measures the model after an epoch. With `onLiveUnits` (a run trained with
 * `--sparse-aware`) the validation and test sets go through `compactAsync(model)`, the same
 * function without its dead units (equal up to float32 rounding; on the Table 2 ConvNet
 * ~19× less time than the dense model).
 */
export async function epochRecord(
  spec: RunSpec,
  model: LayersModel,
  data: RunData,
  epoch: number,
  train: { loss: number; accuracy: number | null } | null,
  learningRate: number,
  onLiveUnits = false,
): Promise<EpochRecord> {
  const evaluated = onLiveUnits ? (await compactAsync(model)).model : model;
  let validation: Evaluation;
  let test: Evaluation;
  try {
    validation = await evaluate(evaluated, data.validation, spec);
    test = await evaluate(evaluated, data.test, spec);
  } finally {
    if (evaluated !== model) evaluated.dispose();
  }
  const sparsity = await modelSparsity(model);
  return {
    epoch,
    trainLoss: train?.loss ?? null,
    trainAccuracy: train?.accuracy ?? null,
    validationLoss: validation.loss,
    validationAccuracy: validation.accuracy,
    testLoss: test.loss,
    testAccuracy: test.accuracy,
    ...sparsity,
    lambda: lambdaOf(spec.method),
    learningRate,
    seconds: 0,
  };
}

/**
 * Whether `entry` beats the kept model: higher validation accuracy, or lower loss for a
 * regression. The initialization (epoch 0) is kept only until a trained epoch exists, and a
 * pruning run keeps only models pruned to the target (from its last pruning epoch on).
 */
function isBetter(spec: RunSpec, entry: EpochRecord, best: RunRecord['best']): boolean {
  if (!best || best.epoch === 0) return true;
  if (spec.method.pruning && entry.epoch < spec.method.pruning.endEpoch) return true;
  return spec.loss === 'mse'
    ? entry.validationLoss < best.validationLoss
    : (entry.validationAccuracy ?? 0) > (best.validationAccuracy ?? 0);
}

/** Updates `record.best`; returns a copy of the weights when `entry` is the new best. */
export async function keepIfBest(
  spec: RunSpec,
  record: RunRecord,
  entry: EpochRecord,
  model: LayersModel,
): Promise<Float32Array[] | null> {
  if (!isBetter(spec, entry, record.best)) return null;
  record.best = {
    epoch: entry.epoch,
    validationLoss: entry.validationLoss,
    validationAccuracy: entry.validationAccuracy,
    testAccuracy: entry.testAccuracy,
    trainAccuracy: entry.trainAccuracy,
    nTotal: entry.nTotal,
    nLinear: entry.nLinear,
    nConv: entry.nConv,
  };
  return readWeights(model);
}
