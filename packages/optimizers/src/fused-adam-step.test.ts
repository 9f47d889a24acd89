import { L1 } from '@bregman/core-prox';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { AdaBreg } from './ada-breg.js';
import {
  FUSED_ADAM_STEP_KERNEL,
  type FusedAdamStepAttrs,
  fusedAdamStep,
} from './fused-adam-step.js';
import { tinyProblem, train } from './test-model.test-helper.js';

/**
 * The kernel's contract written out for the `cpu` backend, float32 after every operation:
 * a backend's kernel must give what the separate operations give.
 */
function registerCpuKernel(calls: FusedAdamStepAttrs[]) {
  tf.registerKernel({
    kernelName: FUSED_ADAM_STEP_KERNEL,
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const cpu = backend as unknown as {
        readSync(id: object): Float32Array;
        makeTensorInfo(shape: number[], dtype: string, values: Float32Array): tf.TensorInfo;
      };
      const a = attrs as unknown as FusedAdamStepAttrs;
      calls.push(a);
      const [g, m1, m2, t] = (['gradient', 'm1', 'm2', 'target'] as const).map((k) =>
        cpu.readSync(inputs[k]!.dataId),
      ) as Float32Array[];
      const f = Math.fround;
      const n = g!.length;
      const [m1o, m2o, to] = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
      for (let i = 0; i < n; i++) {
        m1o[i] = f(f(m1![i]! * f(a.beta1)) + f(g![i]! * f(1 - a.beta1)));
        m2o[i] = f(f(m2![i]! * f(a.beta2)) + f(f(g![i]! * g![i]!) * f(1 - a.beta2)));
        const d = f(f(m1o[i]! / f(f(Math.sqrt(m2o[i]!)) + f(a.epsilon))) * f(a.scale));
        to[i] = f(t![i]! - f(d * f(a.targetScale)));
      }
      const shape = inputs.gradient!.shape;
      return [m1o, m2o, to].map((v) => cpu.makeTensorInfo(shape, 'float32', v));
    },
  });
}

afterEach(() => {
  if (tf.getKernel(FUSED_ADAM_STEP_KERNEL, 'cpu')) {
    tf.unregisterKernel(FUSED_ADAM_STEP_KERNEL, 'cpu');
  }
});

describe('AdaBreg through a backend’s fused Adam-step kernel', () => {
  it('is not used where the backend has none', () => {
    const x = tf.ones([3]);
    const attrs = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, scale: 1e-3, targetScale: 1 };
    expect(fusedAdamStep(x, x, x, x, attrs)).toBeUndefined();
    x.dispose();
  });

  it.each([
    ['ℓ1 on the kernels (v moves, then the prox), δ = 1', { delta: 1 }],
    ['δ = 2 (biases updated directly, scaled by δ)', { delta: 2 }],
  ])('trains exactly as the separate operations: %s', async (_label, { delta }) => {
    const run = (fused: boolean) => {
      const calls: FusedAdamStepAttrs[] = [];
      if (fused) registerCpuKernel(calls);
      const problem = tinyProblem(3);
      const optimizer = new AdaBreg({
        learningRate: 0.01,
        delta,
        rules: [{ match: /kernel$/, regularizer: new L1({ lambda: 0.05 }) }],
      });
      const weights = train(optimizer, problem, 12);
      optimizer.dispose();
      problem.dispose();
      if (fused) tf.unregisterKernel(FUSED_ADAM_STEP_KERNEL, 'cpu');
      return { weights, calls };
    };
    await tf.setBackend('cpu');
    const separate = run(false);
    const fused = run(true);
    expect(separate.calls).toHaveLength(0);
    expect(fused.calls).toHaveLength(12 * 4); // every variable, every step
    // v for the two kernels (c = 1), the weights themselves for the two biases (c = δ)
    expect(fused.calls.slice(0, 4).map((c) => c.targetScale)).toEqual([1, delta, 1, delta]);
    expect(fused.weights).toEqual(separate.weights);
  });
});
