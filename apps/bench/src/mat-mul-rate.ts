import { setWasmSimdKernelsEnabled } from '@bregman/runtime';
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
  /** `2n³` FLOPs over that time, in GFLOP/s. */
  gflops: number;
}

/**
 * The ceilings a step is compared with. `matMul`: the backend's own product, the efficiency
 * ceiling — on wasm tfjs-backend-wasm's XNNPACK product (its packed operand cached, as for a
 * matrix it has seen), the rate the efficiency floors were set against. `simdMatMul` (wasm with
 * @bregman/runtime's SIMD kernels on): the same product as the models run it, through the
 * runtime's WebAssembly SIMD GEMM — a second, stricter ceiling.
 */
export interface MatMulCeilings {
  matMul: MatMulRate;
  simdMatMul?: MatMulRate;
}

/**
 * Whether a second ceiling (the runtime's SIMD GEMM) is timed: on wasm with the SIMD kernels on
 * (`simdKernels` not false).
 */
function timesSimdGemm(simdKernels: boolean | undefined): boolean {
  return tf.getBackend() === 'wasm' && simdKernels !== false;
}

/**
 * Times the ceilings (`warmup` untimed calls, then `calls` timed ones each, taking turns; the
 * medians are kept). Each call reads its result back, so that the time is the backend's work,
 * not a queued promise.
 */
export async function measureMatMulRate(
  n: number,
  calls: number,
  simdKernels: boolean | undefined,
  warmup = 2,
): Promise<MatMulCeilings> {
  const ceilings = ceilingCalls(n, simdKernels);
  try {
    const times = await timeInterleaved(
      ceilings.map((c) => c.call),
      { steps: calls, warmup },
    );
    return ceilingRates(n, times);
  } finally {
    for (const c of ceilings) c.dispose();
  }
}

/**
 * One `n × n` matMul on the current backend per ceiling, result read back, as steps to time
 * beside a model's steps (`timeInterleaved`): the ceilings measured in the same moments as the
 * steps they divide, so that drift of a shared machine hits all alike. The first runs the
 * backend's own product (on wasm with the SIMD kernels on, they are switched off for its call,
 * which sends it to XNNPACK); the second, where timed, the SIMD GEMM.
 */
function ceilingCalls(
  n: number,
  simdKernels: boolean | undefined,
): Array<{ call(): Promise<void>; dispose(): void }> {
  const a = tf.randomNormal([n, n], 0, 1, 'float32', 3);
  const b = tf.randomNormal([n, n], 0, 1, 'float32', 4);
  const multiply = async () => {
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
  };
  const release = () => tf.dispose([a, b]);
  if (!timesSimdGemm(simdKernels)) return [{ call: multiply, dispose: release }];
  const own = async () => {
    setWasmSimdKernelsEnabled(false);
    try {
      await multiply();
    } finally {
      setWasmSimdKernelsEnabled(true);
    }
  };
  return [
    { call: own, dispose: () => {} },
    { call: multiply, dispose: release },
  ];
}

/** The ceilings' rates from their wall times (milliseconds each; the medians are kept). */
function ceilingRates(n: number, times: number[][]): MatMulCeilings {
  const rate = (t: number[]): MatMulRate => {
    const msPerCall = median(t);
    return { n, calls: t.length, msPerCall, gflops: (2 * n ** 3) / (msPerCall * 1e6) };
  };
  const [own, simd] = times;
  return simd ? { matMul: rate(own!), simdMatMul: rate(simd) } : { matMul: rate(own!) };
}

/** How a group of configurations is timed (the bench's options of the same names). */
export interface RoundOptions {
  /** Timed steps per configuration. */
  steps: number;
  /** Untimed rounds first. */
  warmup: number;
  /** The ceilings' matrix side. */
  matMulSize: number;
  /** False: wasm without the SIMD kernels (no second ceiling). */
  simdKernels?: boolean | undefined;
  /** Steps of one configuration back to back per round (default 1). */
  consecutive?: number | undefined;
  /** Untimed steps each configuration runs at the start of every round, by index (default none). */
  lead?: number[] | undefined;
}

/**
 * Times `steps` as `timeInterleaved` does, with one `n × n` matMul per ceiling per round after
 * them: the steps' times and the ceilings of the same rounds. With `consecutive` > 1 each step
 * and each ceiling runs that many times back to back per round, in `⌈timed / consecutive⌉`
 * rounds (so about `timed` runs each). `lead[k]`: untimed runs of step `k` at the
 * start of each of its rounds.
 */
export async function timeWithMatMul(
  steps: ReadonlyArray<() => Promise<unknown>>,
  { steps: timed, warmup, matMulSize, simdKernels, consecutive = 1, lead = [] }: RoundOptions,
): Promise<{ times: number[][] } & MatMulCeilings> {
  const ceilings = ceilingCalls(matMulSize, simdKernels);
  try {
    const times = await timeInterleaved([...steps, ...ceilings.map((c) => c.call)], {
      steps: Math.ceil(timed / consecutive),
      warmup,
      // the ceilings as many times as each step, so that their medians are as robust
      runs: [...steps.map(() => consecutive), ...ceilings.map(() => consecutive)],
      lead,
    });
    return {
      times: times.slice(0, steps.length),
      ...ceilingRates(matMulSize, times.slice(steps.length)),
    };
  } finally {
    for (const c of ceilings) c.dispose();
  }
}
