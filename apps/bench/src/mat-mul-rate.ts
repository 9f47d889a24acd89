import * as tf from '@tensorflow/tfjs';
import { median } from './median.js';

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
  const a = tf.randomNormal([n, n], 0, 1, 'float32', 3);
  const b = tf.randomNormal([n, n], 0, 1, 'float32', 4);
  const times: number[] = [];
  try {
    for (let i = 0; i < warmup + calls; i++) {
      const start = performance.now();
      const c = tf.matMul(a, b);
      await c.data();
      c.dispose();
      if (i >= warmup) times.push(performance.now() - start);
    }
  } finally {
    tf.dispose([a, b]);
  }
  const msPerCall = median(times);
  return { n, calls, msPerCall, gflops: (2 * n ** 3) / (msPerCall * 1e6) };
}
