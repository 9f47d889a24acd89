import { setWasmThreadsEnabled } from '@bregman/runtime';
import * as tf from '@tensorflow/tfjs';
import { type ModelCase, type OptimizerCase, trainingLoss } from './cases.js';
import { trainingFlops } from './flops.js';
import { type MatMulRate, type RoundOptions, timeWithMatMul } from './mat-mul-rate.js';
import { randomBatch, stepRate, warmUp } from './timing.js';

/** One timed configuration. */
export interface Measurement {
  backend: string;
  model: string;
  batchSize: number;
  optimizer: string;
  /**
   * Threads the wasm backend's kernels ran on for these steps (`--threads`; 1: the calling
   * thread alone, the threads switched off with `setWasmThreadsEnabled`).
   */
  threads: number;
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
 * Times `model.trainOnBatch` (forward, backward with {@link trainingLoss}, optimizer step, loss
 * read back) of one model per optimizer on one fixed random batch. Each configuration first runs
 * untimed for `warmupMs` on its own; then the optimizers take turns step by step
 * (interleaved), with one `matMulSize²` matMul per ceiling per round, so that drift of the machine
 * (other load, JIT, GC) hits them and their ceiling alike: `warmup` untimed rounds, then
 * `steps` timed ones; the medians are kept. With `threads` > 1 (a wasm backend started with
 * that many), each optimizer is timed twice in the same rounds, on 1 thread and on `threads`:
 * the kernels are shared among the threads for the latter's steps only (the ceilings run on
 * one thread).
 */
export async function measureGroup(
  backend: string,
  modelCase: ModelCase,
  batchSize: number,
  optimizerCases: OptimizerCase[],
  options: RoundOptions & { warmupMs?: number },
  threads = 1,
): Promise<Measurement[]> {
  const { x, y } = randomBatch(modelCase, batchSize);
  let stepFlops = 0;
  const runs = optimizerCases.flatMap((optimizerCase) =>
    [...new Set([1, threads])].map((runThreads) => {
      const model = modelCase.build();
      stepFlops = trainingFlops(model, batchSize).total;
      const optimizer = optimizerCase.build(model);
      model.compile({ optimizer, loss: trainingLoss });
      return { optimizerCase, model, optimizer, threads: runThreads };
    }),
  );
  let measured: Awaited<ReturnType<typeof timeWithMatMul>>;
  const steps = runs.map((run) => async () => {
    setWasmThreadsEnabled(run.threads > 1);
    try {
      return await run.model.trainOnBatch(x, y);
    } finally {
      setWasmThreadsEnabled(false);
    }
  });
  setWasmThreadsEnabled(false);
  try {
    for (const step of steps) await warmUp(step, options.warmupMs ?? 0);
    // on several threads, each round of each configuration starts with one untimed step: the
    // threads slept while the other configurations ran, and waking them costs the first step
    // what no step of a training, whose threads do not pause, pays
    measured = await timeWithMatMul(steps, {
      ...options,
      lead: threads > 1 ? steps.map(() => 1) : [],
    });
  } finally {
    setWasmThreadsEnabled(true);
    for (const run of runs) {
      run.optimizer.dispose();
      run.model.dispose();
    }
    tf.dispose([x, y]);
  }
  return runs.map(({ optimizerCase, threads: runThreads }, k) => ({
    backend,
    model: modelCase.name,
    batchSize,
    optimizer: optimizerCase.name,
    threads: runThreads,
    stepFlops,
    ...stepRate(measured.times[k]!, batchSize, stepFlops),
    matMul: measured.matMul,
    ...(measured.simdMatMul ? { simdMatMul: measured.simdMatMul } : {}),
  }));
}
