import * as tf from '@tensorflow/tfjs';
import type { ModelCase, OptimizerCase } from './cases.js';
import { trainingFlops } from './flops.js';
import { type MatMulRate, type RoundOptions, timeWithMatMul } from './mat-mul-rate.js';
import { randomBatch, stepRate } from './timing.js';

/** One timed configuration. */
export interface Measurement {
  backend: string;
  model: string;
  batchSize: number;
  optimizer: string;
  /** Timed steps (after warm-up). */
  steps: number;
  /** Median wall time of one `trainOnBatch`, milliseconds. */
  msPerStep: number;
  /** `batchSize / msPerStep`, per second. */
  samplesPerSecond: number;
  /** Every timed step, milliseconds. */
  stepTimes: number[];
  /** FLOPs of one training step, counted analytically (see `trainingFlops`). */
  stepFlops: number;
  /** `stepFlops` over the median step time, GFLOP/s. */
  gflops: number;
  /**
   * The backend's `n × n` matMul rate timed in the same rounds as these steps (one call per
   * round, between the optimizers' steps): the ceiling of this row's efficiency.
   */
  matMul: MatMulRate;
  /**
   * On wasm with the SIMD kernels on: the same product through @bregman/runtime's SIMD GEMM
   * (as the models run it), timed in the same rounds: a second, stricter ceiling.
   */
  simdMatMul?: MatMulRate;
}

/**
 * Times `model.trainOnBatch` (forward, backward, optimizer step, loss read back) of one
 * model per optimizer on one fixed random batch. The optimizers take turns step by step
 * (interleaved), with one `matMulSize²` matMul per ceiling per round, so that drift of the machine
 * (other load, JIT, GC) hits them and their ceiling alike: `warmup` untimed rounds, then
 * `steps` timed ones; the medians are kept.
 */
export async function measureGroup(
  backend: string,
  modelCase: ModelCase,
  batchSize: number,
  optimizerCases: OptimizerCase[],
  options: RoundOptions,
): Promise<Measurement[]> {
  const { x, y } = randomBatch(modelCase, batchSize);
  let stepFlops = 0;
  const runs = optimizerCases.map((optimizerCase) => {
    const model = modelCase.build();
    stepFlops = trainingFlops(model, batchSize).total;
    const optimizer = optimizerCase.build(model);
    model.compile({ optimizer, loss: 'categoricalCrossentropy' });
    return { optimizerCase, model, optimizer };
  });
  let measured: Awaited<ReturnType<typeof timeWithMatMul>>;
  try {
    measured = await timeWithMatMul(
      runs.map(
        ({ model }) =>
          () =>
            model.trainOnBatch(x, y),
      ),
      options,
    );
  } finally {
    for (const run of runs) {
      run.optimizer.dispose();
      run.model.dispose();
    }
    tf.dispose([x, y]);
  }
  return runs.map(({ optimizerCase }, k) => ({
    backend,
    model: modelCase.name,
    batchSize,
    optimizer: optimizerCase.name,
    stepFlops,
    ...stepRate(measured.times[k]!, batchSize, stepFlops),
    matMul: measured.matMul,
    ...(measured.simdMatMul ? { simdMatMul: measured.simdMatMul } : {}),
  }));
}
