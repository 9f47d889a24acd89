import { GroupL12, L1, type Regularizer } from '@bregman/core-prox';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { AdaBreg } from './ada-breg.js';
import {
  FUSED_ADAM_STEP_KERNEL,
  FUSED_MOMENTUM_STEP_KERNEL,
  FUSED_SGD_STEP_KERNEL,
  type FusedAdamStepAttrs,
  type FusedMirrorAttrs,
  type FusedMomentumStepAttrs,
  type FusedSgdStepAttrs,
  fusedAdamStep,
  fusedMomentumStep,
  fusedSgdStep,
} from './fused-steps.js';
import { LinBreg } from './lin-breg.js';
import { tinyProblem, train } from './test-model.test-helper.js';

const f = Math.fround;

/** The contract's mirror part: `target − d·c`, then (t ≥ 0) `u = target'·δ`, `u − clip(u)`. */
function mirror(t: number, d: number, a: FusedMirrorAttrs): [number, number] {
  const next = f(t - f(d * f(a.targetScale)));
  if (a.threshold < 0) return [next, Number.NaN];
  const u = f(next * f(a.delta));
  const lo = f(-a.threshold);
  const hi = f(a.threshold);
  return [next, f(u - (u < lo ? lo : u > hi ? hi : u))];
}

type CpuBackend = {
  readSync(id: object): Float32Array;
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): tf.TensorInfo;
};

/**
 * One of the kernels' contract written out for the `cpu` backend, float32 after every
 * operation: `inputs` are read in order (the target last); `entry` gives, for one entry, the new
 * state (its outputs before the target's) and the step d; the mirror step's end follows.
 */
function registerCpuKernel<A extends FusedMirrorAttrs>(
  kernel: string,
  inputs: readonly string[],
  entry: (values: number[], attrs: A) => { state: number[]; d: number },
  calls: { kernel: string; attrs: FusedMirrorAttrs }[],
) {
  tf.registerKernel({
    kernelName: kernel,
    backendName: 'cpu',
    kernelFunc: ({ inputs: given, backend, attrs }) => {
      const cpu = backend as unknown as CpuBackend;
      const a = attrs as unknown as A;
      calls.push({ kernel, attrs: a });
      const values = inputs.map((k) => cpu.readSync(given[k]!.dataId));
      const n = values[0]!.length;
      const out: Float32Array[] = [];
      for (let i = 0; i < n; i++) {
        const { state, d } = entry(
          values.slice(0, -1).map((v) => v[i]!),
          a,
        );
        const results = [...state, ...mirror(values.at(-1)![i]!, d, a)];
        results.forEach((r, k) => {
          out[k] ??= new Float32Array(n);
          out[k]![i] = r;
        });
      }
      const kept = a.threshold < 0 ? out.slice(0, -1) : out;
      return kept.map((v) => cpu.makeTensorInfo(given.gradient!.shape, 'float32', v));
    },
  });
}

/** The three kernels' contracts on the `cpu` backend (see {@link registerCpuKernel}). */
function registerCpuKernels(calls: { kernel: string; attrs: FusedMirrorAttrs }[]) {
  registerCpuKernel<FusedAdamStepAttrs>(
    FUSED_ADAM_STEP_KERNEL,
    ['gradient', 'm1', 'm2', 'target'],
    ([g, m1, m2], a) => {
      const first = f(f(m1! * f(a.beta1)) + f(g! * f(1 - a.beta1)));
      const second = f(f(m2! * f(a.beta2)) + f(f(g! * g!) * f(1 - a.beta2)));
      const d = f(f(first / f(f(Math.sqrt(second)) + f(a.epsilon))) * f(a.scale));
      return { state: [first, second], d };
    },
    calls,
  );
  registerCpuKernel<FusedMomentumStepAttrs>(
    FUSED_MOMENTUM_STEP_KERNEL,
    ['gradient', 'm', 'target'],
    ([g, m], a) => {
      const next = f(f(m! * f(a.momentum)) + f(g! * f(a.scale)));
      return { state: [next], d: next };
    },
    calls,
  );
  registerCpuKernel<FusedSgdStepAttrs>(
    FUSED_SGD_STEP_KERNEL,
    ['gradient', 'target'],
    ([g], a) => ({ state: [], d: f(g! * f(a.learningRate)) }),
    calls,
  );
}

afterEach(() => {
  for (const kernel of [
    FUSED_ADAM_STEP_KERNEL,
    FUSED_MOMENTUM_STEP_KERNEL,
    FUSED_SGD_STEP_KERNEL,
  ]) {
    if (tf.getKernel(kernel, 'cpu')) tf.unregisterKernel(kernel, 'cpu');
  }
});

describe('the Bregman optimizers through a backend’s fused update kernels', () => {
  it('are not used where the backend has none', () => {
    const x = tf.ones([3]);
    const mirrorAttrs = { targetScale: 1, delta: 1, threshold: -1 };
    const adam = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, scale: 1e-3, ...mirrorAttrs };
    expect(fusedAdamStep(x, x, x, x, adam)).toBeUndefined();
    expect(fusedSgdStep(x, x, { learningRate: 0.1, ...mirrorAttrs })).toBeUndefined();
    expect(
      fusedMomentumStep(x, x, x, { momentum: 0.9, scale: 0.01, ...mirrorAttrs }),
    ).toBeUndefined();
    x.dispose();
  });

  const l1 = new L1({ lambda: 0.05 });
  const group = new GroupL12({ lambda: 0.05, reduceAxes: [0] });
  it.each<[string, (J: Regularizer, delta: number) => tf.Optimizer, Regularizer, number, string]>([
    ['AdaBreg, ℓ1 (prox fused), δ = 1', adaBreg, l1, 1, FUSED_ADAM_STEP_KERNEL],
    [
      'AdaBreg, ℓ1, δ = 2 (biases stepped directly, scaled by δ)',
      adaBreg,
      l1,
      2,
      FUSED_ADAM_STEP_KERNEL,
    ],
    ['AdaBreg, group ℓ1,2 (its prox separate)', adaBreg, group, 1, FUSED_ADAM_STEP_KERNEL],
    ['LinBreg, ℓ1 (prox fused), δ = 1', linBreg, l1, 1, FUSED_SGD_STEP_KERNEL],
    ['LinBreg, ℓ1, δ = 2', linBreg, l1, 2, FUSED_SGD_STEP_KERNEL],
    ['LinBreg, group ℓ1,2', linBreg, group, 1, FUSED_SGD_STEP_KERNEL],
    ['LinBreg β = 0.9, ℓ1 (prox fused), δ = 1', linBregMomentum, l1, 1, FUSED_MOMENTUM_STEP_KERNEL],
    ['LinBreg β = 0.9, ℓ1, δ = 2', linBregMomentum, l1, 2, FUSED_MOMENTUM_STEP_KERNEL],
    ['LinBreg β = 0.9, group ℓ1,2', linBregMomentum, group, 1, FUSED_MOMENTUM_STEP_KERNEL],
  ])('train exactly as the separate operations: %s', async (_label, make, J, delta, kernel) => {
    const run = (fused: boolean) => {
      const calls: { kernel: string; attrs: FusedMirrorAttrs }[] = [];
      if (fused) registerCpuKernels(calls);
      const problem = tinyProblem(3);
      const optimizer = make(J, delta);
      const weights = train(optimizer, problem, 12);
      optimizer.dispose();
      problem.dispose();
      return { weights, calls };
    };
    await tf.setBackend('cpu');
    const separate = run(false);
    const fused = run(true);
    expect(separate.calls).toHaveLength(0);
    expect(fused.calls).toHaveLength(12 * 4); // every variable, every step
    expect(new Set(fused.calls.map((c) => c.kernel))).toEqual(new Set([kernel]));
    // kernels: v (c = 1) with ℓ1's threshold δλ fused; biases: the weights (c = δ), no prox
    const first = fused.calls.slice(0, 4).map(({ attrs }) => [attrs.targetScale, attrs.threshold]);
    const t = J === l1 ? delta * 0.05 : -1;
    expect(first).toEqual([
      [1, t],
      [delta, -1],
      [1, t],
      [delta, -1],
    ]);
    expect(fused.weights).toEqual(separate.weights);
  });
});

function adaBreg(J: Regularizer, delta: number): tf.Optimizer {
  return new AdaBreg({ learningRate: 0.01, delta, rules: [{ match: /kernel$/, regularizer: J }] });
}

function linBreg(J: Regularizer, delta: number): tf.Optimizer {
  return new LinBreg({ learningRate: 0.1, delta, rules: [{ match: /kernel$/, regularizer: J }] });
}

function linBregMomentum(J: Regularizer, delta: number): tf.Optimizer {
  return new LinBreg({
    learningRate: 0.1,
    momentum: 0.9,
    delta,
    rules: [{ match: /kernel$/, regularizer: J }],
  });
}
