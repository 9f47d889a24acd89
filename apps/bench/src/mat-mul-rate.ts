import * as tf from '@tensorflow/tfjs';
import { median } from './median.js';
import { timeInterleaved } from './timing.js';

/** How fast the current backend multiplies two `n × n` float32 matrices. */
export interface MatMulRate {
  /** The matrix side. */
  n: number;
  /** Timed calls (after warm-up). */
  calls: number;
  /** Median wall time of one call, milliseconds (the result read back included). */
  msPerCall: number;
  /** `2n³` FLOPs over that time, in GFLOP/s: the ceiling a model's step is compared with. */
  gflops: number;
}

/**
 * Times `tf.matMul` of two random `n × n` matrices on the current backend (`warmup`
 * untimed calls, then `calls` timed ones; the median is kept). Each call reads its result
 * back, so that the time is the backend's work, not a queued promise.
 */
export async function measureMatMulRate(n: number, calls: number, warmup = 2): Promise<MatMulRate> {
  const matMul = matMulCall(n);
  const times: number[] = [];
  try {
    for (let i = 0; i < warmup + calls; i++) {
      const start = performance.now();
      await matMul.call();
      if (i >= warmup) times.push(performance.now() - start);
    }
  } finally {
    matMul.dispose();
  }
  return matMulRate(n, times);
}

/**
 * One `n × n` matMul on the current backend, result read back, as a step to time beside a
 * model's steps (`timeInterleaved`): the ceiling measured in the same moments as the steps
 * it divides, so that drift of a shared machine hits both alike.
 */
function matMulCall(n: number): { call(): Promise<void>; dispose(): void } {
  const a = tf.randomNormal([n, n], 0, 1, 'float32', 3);
  const b = tf.randomNormal([n, n], 0, 1, 'float32', 4);
  return {
    async call() {
      const c = tf.matMul(a, b);
      await c.data();
      c.dispose();
    },
    dispose: () => tf.dispose([a, b]),
  };
}

/** The rate of `n × n` matMuls from their wall times (milliseconds; the median is kept). */
function matMulRate(n: number, times: number[]): MatMulRate {
  const msPerCall = median(times);
  return { n, calls: times.length, msPerCall, gflops: (2 * n ** 3) / (msPerCall * 1e6) };
}

/**
 * Times `steps` as `timeInterleaved` does, with one `n × n` matMul per round after them: the
 * steps' times and the matMul rate of the same rounds (the ceiling of their efficiency).
 */
export async function timeWithMatMul(
  steps: ReadonlyArray<() => Promise<unknown>>,
  { steps: timed, warmup, matMulSize }: { steps: number; warmup: number; matMulSize: number },
): Promise<{ times: number[][]; matMul: MatMulRate }> {
  const matMul = matMulCall(matMulSize);
  try {
    const times = await timeInterleaved([...steps, matMul.call], { steps: timed, warmup });
    return { times: times.slice(0, -1), matMul: matMulRate(matMulSize, times.at(-1)!) };
  } finally {
    matMul.dispose();
  }
}
