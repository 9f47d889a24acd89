import * as tf from '@tensorflow/tfjs';
import type { ModelCase } from './cases.js';
import { median } from './median.js';

/** One fixed random batch for a model: standard normal inputs, one-hot labels (seeded). */
export function randomBatch(
  modelCase: ModelCase,
  batchSize: number,
): { x: tf.Tensor; y: tf.Tensor } {
  const x = tf.randomNormal([batchSize, ...modelCase.inputShape], 0, 1, 'float32', 1);
  const y = tf.tidy(() =>
    tf.oneHot(tf.randomUniform([batchSize], 0, modelCase.classes, 'int32', 2), modelCase.classes),
  );
  return { x, y };
}

/**
 * Times each of `steps` (one training step each) in turn (interleaved), so that drift of the
 * machine (other load, JIT, GC) hits them alike: `warmup` untimed rounds, then `timed` timed
 * ones. In each round step k first runs `lead[k]` times untimed (default none), then `runs[k]`
 * times back to back (default once), each run timed, as consecutive steps of one training do.
 * Each round starts one step later than the one before (round r runs steps r, r + 1, …,
 * wrapping), so that no step always runs first, after the last one has filled the caches with
 * its own data. Returns every timed run of each,
 * milliseconds.
 */
export async function timeInterleaved(
  steps: ReadonlyArray<() => Promise<unknown>>,
  {
    steps: timed,
    warmup,
    runs = [],
    lead = [],
  }: { steps: number; warmup: number; runs?: number[]; lead?: number[] },
): Promise<number[][]> {
  const times = steps.map(() => [] as number[]);
  for (let i = 0; i < warmup + timed; i++) {
    for (let j = 0; j < steps.length; j++) {
      const k = (i + j) % steps.length;
      for (let r = 0; r < (lead[k] ?? 0); r++) await steps[k]!();
      for (let r = 0; r < (runs[k] ?? 1); r++) {
        const start = performance.now();
        await steps[k]!();
        if (i >= warmup) times[k]!.push(performance.now() - start);
      }
    }
  }
  return times;
}

/** The numbers every timed configuration reports, from its step times. */
export function stepRate(stepTimes: number[], batchSize: number, stepFlops: number) {
  const msPerStep = median(stepTimes);
  return {
    steps: stepTimes.length,
    msPerStep,
    samplesPerSecond: (1000 * batchSize) / msPerStep,
    gflops: stepFlops / (msPerStep * 1e6),
    stepTimes,
  };
}

/**
 * Runs `step` untimed, back to back, until `ms` milliseconds have passed, at least once;
 * resolves with the mean time of the last half of these steps, milliseconds.
 */
export async function warmUp(step: () => Promise<unknown>, ms: number): Promise<number> {
  const start = performance.now();
  const times: number[] = [];
  do {
    const begin = performance.now();
    await step();
    times.push(performance.now() - begin);
  } while (performance.now() - start < ms);
  const last = times.slice(Math.floor(times.length / 2));
  return last.reduce((a, b) => a + b, 0) / last.length;
}
