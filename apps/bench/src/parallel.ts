import { DataParallelTrainer } from '@bregman/runtime';
import * as tf from '@tensorflow/tfjs';
import type { ModelCase, OptimizerCase } from './cases.js';
import { trainingFlops } from './flops.js';
import { type MatMulRate, type RoundOptions, timeWithMatMul } from './mat-mul-rate.js';
import { randomBatch, stepRate, warmUp } from './timing.js';

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
  /** Untimed steps at the start of each round (`workersLeadMs` of steps). */
  leadSteps: number;
  /** Median wall time of one step, milliseconds. */
  msPerStep: number;
  /**
   * Mean wall time of the timed steps, milliseconds: the rate a training sees, slow steps (a
   * thread's garbage collection, which every thread waits for) included.
   */
  msPerStepMean: number;
  /** `batchSize / msPerStep`, per second. */
  samplesPerSecond: number;
  /** The step's FLOPs (analytic) over its median time, GFLOP/s. */
  gflops: number;
  /** Every timed step, milliseconds. */
  stepTimes: number[];
  /** One thread's `n × n` matMul rate, timed in the same rounds as the steps. */
  matMul: MatMulRate;
  /** On wasm with the SIMD kernels on: one thread's SIMD GEMM rate, the same rounds. */
  simdMatMul?: MatMulRate;
}

/**
 * Times `DataParallelTrainer.step` (shards computed on `workers` threads, gradients summed,
 * the optimizer step applied in every thread) for each worker count in turn, on one fixed random
 * batch: each trainer first runs untimed for `workersWarmupMs` on its own (its fresh threads
 * warm up), then `warmup` untimed rounds, then `steps` timed ones; the median is kept. Each round
 * of a trainer starts with about `workersLeadMs` of untimed steps (at least one when > 0): its
 * worker threads idled while the other configurations ran, and the first steps after a pause
 * run slower, which a training, whose threads do not pause, does not see. The worker counts
 * and one `matMulSize²` matMul on the main thread (the ceiling of the efficiency) take turns
 * round by round (`consecutive` steps each), so that drift of the machine hits them alike.
 */
export async function measureParallel(
  backend: 'wasm' | 'cpu',
  modelCase: ModelCase,
  batchSize: number,
  optimizerCase: OptimizerCase,
  workerCounts: readonly number[],
  options: RoundOptions & { workersWarmupMs: number; workersLeadMs: number },
): Promise<ParallelMeasurement[]> {
  const { x, y } = randomBatch(modelCase, batchSize);
  const trainers: DataParallelTrainer[] = [];
  const lead: number[] = [];
  let stepFlops = 0;
  let measured: Awaited<ReturnType<typeof timeWithMatMul>>;
  try {
    for (const workers of workerCounts) {
      const model = modelCase.build();
      stepFlops = trainingFlops(model, batchSize).total;
      const optimizer = optimizerCase.build(model);
      const trainer = await DataParallelTrainer.create({
        model,
        optimizer,
        // the loss model.trainOnBatch is timed with in measure.ts (`trainingLoss`), by its name
        loss: 'softmaxCrossEntropy',
        workers,
        backend,
        // the threads register the paper's Standardize layer (LinBreg and AdaBreg they have)
        modules: [import.meta.resolve('@bregman/models')],
      });
      trainers.push(trainer);
      const msPerStep = await warmUp(() => trainer.step(x, y), options.workersWarmupMs);
      lead.push(options.workersLeadMs > 0 ? Math.ceil(options.workersLeadMs / msPerStep) : 0);
    }
    measured = await timeWithMatMul(
      trainers.map((trainer) => () => trainer.step(x, y)),
      { ...options, lead },
    );
  } finally {
    for (const trainer of trainers) {
      await trainer.dispose();
      trainer.optimizer.dispose();
      trainer.model.dispose();
    }
    tf.dispose([x, y]);
  }
  return trainers.map((trainer, k) => ({
    backend,
    model: modelCase.name,
    batchSize,
    optimizer: optimizerCase.name,
    workers: trainer.workers,
    ...stepRate(measured.times[k]!, batchSize, stepFlops),
    msPerStepMean: measured.times[k]!.reduce((a, b) => a + b, 0) / measured.times[k]!.length,
    leadSteps: lead[k]!,
    matMul: measured.matMul,
    ...(measured.simdMatMul ? { simdMatMul: measured.simdMatMul } : {}),
  }));
}
