import { DataParallelTrainer } from '@bregman/runtime';
import * as tf from '@tensorflow/tfjs';
import type { ModelCase, OptimizerCase } from './cases.js';
import { trainingFlops } from './flops.js';
import { median } from './median.js';

/** One timed data-parallel configuration (`DataParallelTrainer.step`). */
export interface ParallelMeasurement {
  /** The backend of every thread. */
  backend: 'wasm' | 'cpu';
  model: string;
  batchSize: number;
  optimizer: string;
  /** Threads computing, the main thread included. */
  workers: number;
  /** Timed steps (after warm-up). */
  steps: number;
  /** Median wall time of one step, milliseconds. */
  msPerStep: number;
  /** `batchSize / msPerStep`, per second. */
  samplesPerSecond: number;
  /** The step's FLOPs (analytic) over its median time, GFLOP/s. */
  gflops: number;
  /** Every timed step, milliseconds. */
  stepTimes: number[];
}

/**
 * Times `DataParallelTrainer.step` (shards computed on `workers` threads, gradients summed,
 * one optimizer step on the main thread) for each worker count in turn, on one fixed random
 * batch: `warmup` untimed steps, then `steps` timed ones; the median is kept. The worker
 * counts take turns step by step, so that drift of the machine hits them alike.
 */
export async function measureParallel(
  backend: 'wasm' | 'cpu',
  modelCase: ModelCase,
  batchSize: number,
  optimizerCase: OptimizerCase,
  workerCounts: readonly number[],
  { steps, warmup }: { steps: number; warmup: number },
): Promise<ParallelMeasurement[]> {
  const x = tf.randomNormal([batchSize, ...modelCase.inputShape], 0, 1, 'float32', 1);
  const y = tf.oneHot(
    tf.randomUniform([batchSize], 0, modelCase.classes, 'int32', 2),
    modelCase.classes,
  );
  const runs: Array<{ trainer: DataParallelTrainer; times: number[] }> = [];
  let stepFlops = 0;
  try {
    for (const workers of workerCounts) {
      const model = modelCase.build();
      stepFlops = trainingFlops(model, batchSize).total;
      const optimizer = optimizerCase.build(model);
      const trainer = await DataParallelTrainer.create({
        model,
        optimizer,
        // the loss model.trainOnBatch is timed with in measure.ts, so that 1 worker compares
        loss: 'categoricalCrossentropy',
        workers,
        backend,
        // the paper's nets start with a Standardize layer: the threads register it from here
        modules: [import.meta.resolve('@bregman/models')],
      });
      runs.push({ trainer, times: [] });
    }
    for (let i = 0; i < warmup + steps; i++) {
      for (const run of runs) {
        const start = performance.now();
        await run.trainer.step(x, y);
        if (i >= warmup) run.times.push(performance.now() - start);
      }
    }
  } finally {
    for (const { trainer } of runs) {
      await trainer.dispose();
      trainer.optimizer.dispose();
      trainer.model.dispose();
    }
    tf.dispose([x, y]);
  }
  return runs.map(({ trainer, times }) => {
    const msPerStep = median(times);
    return {
      backend,
      model: modelCase.name,
      batchSize,
      optimizer: optimizerCase.name,
      workers: trainer.workers,
      steps,
      msPerStep,
      samplesPerSecond: (1000 * batchSize) / msPerStep,
      gflops: stepFlops / (msPerStep * 1e6),
      stepTimes: times,
    };
  });
}
