import { MagnitudePruning, SparsityPenalty } from '@bregman/baselines';
import { regularizerForName } from '@bregman/core-prox';
import { Batcher } from '@bregman/datasets';
import type { SparseAwareStep } from '@bregman/models';
import { type DataParallelTrainer, NonFiniteLossError } from '@bregman/runtime';
import * as tf from '@tensorflow/tfjs';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { RunData } from '../data/run-data.js';
import type { RunSpec } from '../shared/spec.js';
import { buildRules } from './build.js';
import { batcherOptions, batchLoss, countCorrect } from './evaluate.js';
import { yieldToEventLoop } from './event-loop.js';
import type { RunEvent } from './run-events.js';

/** The parts of a run that one training epoch uses. */
export interface Trainer {
  /** The network. */
  model: LayersModel;
  /** Its optimizer. */
  optimizer: tf.Optimizer;
  /** The run's magnitude pruning, if the method prunes. */
  pruning: MagnitudePruning | null;
  /** `J(θ)` terms added to the loss (lasso by SGD / Adam). */
  penalties: Array<{ variable: tf.Variable; penalty: SparsityPenalty }>;
  /** Trains `model` and `optimizer` on several threads (`--threads`), or null for one. */
  parallel?: DataParallelTrainer | null;
  /** Computes each step on the live units (`--sparse-aware`), or null for the dense step. */
  sparseAware?: SparseAwareStep | null;
}

/** What one epoch of training measured. */
export interface EpochTraining {
  /** Mean training loss over the epoch's batches. */
  loss: number;
  /** Training accuracy over the epoch's batches (`null` for a regression loss). */
  accuracy: number | null;
  /**
   * Share of the epoch's steps that the sparse-aware step computed on the live units
   * (absent when the run trains with the dense step).
   */
  sparseSteps?: number;
}

/** Builds the penalty terms and the pruning of a run's method for its model. */
export function trainerParts(spec: RunSpec, model: LayersModel) {
  const { penalty, pruning } = spec.method;
  const rules = penalty ? buildRules(model, penalty) : [];
  const penalties = model.trainableWeights.flatMap((w) => {
    const J = regularizerForName(rules, w.name);
    if (J.isZero) return [];
    return [{ variable: w.read() as tf.Variable, penalty: new SparsityPenalty(J) }];
  });
  let magnitude: MagnitudePruning | null = null;
  if (pruning) {
    // the schedule counts epochs from 0, as model.fit does; ours count from 1
    magnitude = new MagnitudePruning({
      targetDensity: pruning.targetDensity,
      endEpoch: pruning.endEpoch - 1,
      ...(pruning.groups === undefined ? {} : { groups: pruning.groups }),
    });
    magnitude.setModel(model);
  }
  return { penalties, pruning: magnitude };
}

/**
 * One epoch of training (1-based `epoch`): every batch in the epoch's seeded order, one
 * optimizer step each (loss plus any penalty), the pruning masks re-applied after each step
 * and pruning at the epoch's end when the schedule says so. Returns the mean loss and the
 * accuracy over the epoch's batches (accuracy `null` for a regression loss).
 */
export async function trainEpoch(
  spec: RunSpec,
  trainer: Trainer,
  data: RunData,
  epoch: number,
  emit: (event: RunEvent) => void,
): Promise<EpochTraining> {
  const { model, optimizer, pruning, penalties } = trainer;
  const batcher = new Batcher(data.train, {
    ...batcherOptions(spec.data, spec.batchSize),
    seed: spec.seed,
    ...(spec.data.augment === undefined ? {} : { augment: spec.data.augment }),
  });
  const classify = spec.loss === 'crossentropy';
  const every = Math.max(1, Math.floor(batcher.numBatches / 50));
  const progress = async (batch: number) => {
    if (batch % every === 0 || batch === batcher.numBatches) {
      emit({ type: 'batch', runId: spec.runId, epoch, batch, batches: batcher.numBatches });
      await yieldToEventLoop();
    }
  };
  if (trainer.parallel) {
    return trainEpochInParallel(
      trainer.parallel,
      batcher.batches(epoch - 1),
      classify,
      data.train.count,
      progress,
    );
  }
  if (trainer.sparseAware) {
    return trainEpochOnLiveUnits(
      trainer.sparseAware,
      optimizer,
      batcher.batches(epoch - 1),
      spec.loss,
      data.train.count,
      progress,
    );
  }
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  let sums = tf.zeros([2]);
  let batch = 0;
  for (const { x, y } of batcher.batches(epoch - 1)) {
    const next = tf.tidy(() => {
      let correct: tf.Scalar | undefined;
      let dataLoss: tf.Scalar | undefined;
      optimizer.minimize(
        () => {
          const output = model.apply(x, { training: true }) as tf.Tensor;
          if (classify) correct = tf.keep(countCorrect(output, y));
          const loss = batchLoss(spec.loss, y, output);
          dataLoss = tf.keep(loss.clone());
          return penalties.reduce<tf.Scalar>(
            (sum, p) => sum.add(p.penalty.apply(p.variable)),
            loss,
          );
        },
        false,
        variables,
      );
      pruning?.applyMasks();
      const step = tf.stack([dataLoss!.mul(x.shape[0]), correct ?? tf.scalar(0)]);
      tf.dispose([correct, dataLoss] as tf.Tensor[]);
      return sums.add(step);
    });
    tf.dispose([x, y, sums]);
    sums = next;
    batch++;
    await progress(batch);
  }
  const density = pruning?.densityAt(epoch - 1) ?? null;
  if (density !== null) pruning!.prune(density, epoch - 1);
  const [loss, correct] = await sums.data();
  sums.dispose();
  return {
    loss: loss! / data.train.count,
    accuracy: classify ? correct! / data.train.count : null,
  };
}

/**
 * The epoch's batches through the data-parallel trainer (a method without penalty or
 * pruning): the same mean loss and accuracy as one thread. A non-finite batch loss ends the
 * epoch with that loss, which fails the run as on one thread.
 */
async function trainEpochInParallel(
  parallel: DataParallelTrainer,
  batches: Iterable<{ x: tf.Tensor; y: tf.Tensor }>,
  classify: boolean,
  samples: number,
  progress: (batch: number) => Promise<void>,
): Promise<EpochTraining> {
  let lossSum = 0;
  let correct = 0;
  let batch = 0;
  for (const { x, y } of batches) {
    const size = x.shape[0]!;
    try {
      const logs = await parallel.step(x, y);
      lossSum += logs.loss * size;
      correct += (logs.acc ?? 0) * size;
    } catch (error) {
      if (error instanceof NonFiniteLossError) return { loss: error.loss, accuracy: null };
      throw error;
    } finally {
      tf.dispose([x, y]);
    }
    batch++;
    await progress(batch);
  }
  return { loss: lossSum / samples, accuracy: classify ? correct / samples : null };
}

/**
 * The epoch's batches through the sparse-aware step (a method without penalty or pruning):
 * the loss and accuracy of the dense step, and the share of steps computed on the live units.
 */
async function trainEpochOnLiveUnits(
  step: SparseAwareStep,
  optimizer: tf.Optimizer,
  batches: Iterable<{ x: tf.Tensor; y: tf.Tensor }>,
  loss: RunSpec['loss'],
  samples: number,
  progress: (batch: number) => Promise<void>,
): Promise<EpochTraining> {
  const classify = loss === 'crossentropy';
  let sums = tf.zeros([2]);
  let batch = 0;
  let sparse = 0;
  for (const { x, y } of batches) {
    const result = await step.minimize(optimizer, x, (output) => batchLoss(loss, y, output));
    const next = tf.tidy(() =>
      sums.add(
        tf.stack([
          result.value.mul(x.shape[0]!),
          classify ? countCorrect(result.output, y) : tf.scalar(0),
        ]),
      ),
    );
    tf.dispose([x, y, sums, result.value, result.output]);
    sums = next;
    if (result.sparse) sparse++;
    batch++;
    await progress(batch);
  }
  const [lossSum, correct] = await sums.data();
  sums.dispose();
  return {
    loss: lossSum! / samples,
    accuracy: classify ? correct! / samples : null,
    sparseSteps: batch === 0 ? 0 : sparse / batch,
  };
}
