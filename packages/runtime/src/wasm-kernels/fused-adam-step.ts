import { FUSED_ADAM_STEP_KERNEL, type FusedAdamStepAttrs } from '@bregman/optimizers';
import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { requireFloat32, requireShape } from './checks.js';
import { heapOffset, simdKernels } from './simd/instance.js';
import type { WasmBackend } from './wasm-calls.js';

const NAME = FUSED_ADAM_STEP_KERNEL;

/**
 * One Adam-direction update of a variable in one pass (see `FUSED_ADAM_STEP_KERNEL` of
 * `@bregman/optimizers`): the new `m1`, `m2` and `target`. In WebAssembly SIMD where it runs,
 * else a JavaScript loop that rounds to float32 after every operation; both give what the
 * separate float32 operations give.
 */
const fusedAdamStep: KernelFunc = ({ inputs, backend: anyBackend, attrs }) => {
  const backend = anyBackend as KernelBackend as WasmBackend;
  const { gradient, m1, m2, target } = inputs as Record<
    'gradient' | 'm1' | 'm2' | 'target',
    TensorInfo
  >;
  requireFloat32(NAME, { gradient, m1, m2, target });
  for (const [name, info] of Object.entries({ m1, m2, target })) {
    requireShape(NAME, name, info, gradient.shape);
  }
  const { beta1, beta2, epsilon, scale, targetScale } = attrs as unknown as FusedAdamStepAttrs;
  const outputs = [m1, m2, target].map((t) => backend.makeOutput(t.shape, 'float32'));
  const n = gradient.shape.reduce((a, b) => a * b, 1);
  const simd = simdKernels(backend);
  if (simd) {
    simd.adam_step(
      ...([gradient, m1, m2, target, ...outputs].map((t) => heapOffset(backend, t)) as [
        number,
        number,
        number,
        number,
        number,
        number,
        number,
      ]),
      n,
      beta1,
      1 - beta1,
      beta2,
      1 - beta2,
      epsilon,
      scale,
      targetScale,
    );
    return outputs;
  }
  const f = Math.fround;
  const [g, a, b, t, aOut, bOut, tOut] = [gradient, m1, m2, target, ...outputs].map(
    (info) => backend.typedArrayFromHeap(info) as Float32Array,
  ) as Float32Array[];
  const [b1, c1, b2, c2] = [f(beta1), f(1 - beta1), f(beta2), f(1 - beta2)];
  const [eps, s, c] = [f(epsilon), f(scale), f(targetScale)];
  for (let i = 0; i < n; i++) {
    const gi = g![i]!;
    const first = f(f(a![i]! * b1) + f(gi * c1));
    const second = f(f(b![i]! * b2) + f(f(gi * gi) * c2));
    const d = f(f(first / f(f(Math.sqrt(second)) + eps)) * s);
    aOut![i] = first;
    bOut![i] = second;
    tOut![i] = f(t![i]! - f(d * c));
  }
  return outputs;
};

/** `BregmanFusedAdamStep` (AdaBreg's update of one variable) for the wasm backend. */
export const fusedAdamStepConfig: KernelConfig = {
  kernelName: NAME,
  backendName: 'wasm',
  kernelFunc: fusedAdamStep,
};
