import {
  FUSED_ADAM_STEP_KERNEL,
  FUSED_MOMENTUM_STEP_KERNEL,
  FUSED_SGD_STEP_KERNEL,
  type FusedAdamStepAttrs,
  type FusedMirrorAttrs,
  type FusedMomentumStepAttrs,
  type FusedSgdStepAttrs,
} from '@bregman/optimizers';
import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { requireFloat32, requireShape } from './checks.js';
import { heapOffset, type SimdKernels, simdKernels } from './simd/instance.js';
import { runRangeKernels } from './simd/split-kernels.js';
import type { WasmBackend } from './wasm-calls.js';

const f = Math.fround;

/** The checked inputs of a fused update kernel, all float32 and of the gradient's shape. */
function checkedInputs(
  kernel: string,
  inputs: Record<string, TensorInfo | undefined>,
  names: string[],
): TensorInfo[] {
  // a plain loop: called for every variable of every step
  const infos: TensorInfo[] = [];
  for (const name of names) {
    const info = inputs[name];
    if (!info) throw new Error(`${kernel} on wasm: the input '${name}' is missing`);
    infos.push(info);
  }
  for (let i = 0; i < infos.length; i++) {
    if (infos[i]!.dtype !== 'float32') requireFloat32(kernel, { [names[i]!]: infos[i]! });
    if (i > 0) requireShape(kernel, names[i]!, infos[i]!, infos[0]!.shape);
  }
  return infos;
}

/**
 * The outputs of a fused update: one per updated tensor, and the weights when the prox is
 * fused (`threshold ≥ 0`); their heap offsets (0 for absent weights).
 */
function outputsOf(backend: WasmBackend, shape: number[], count: number, threshold: number) {
  const outputs: TensorInfo[] = [];
  const offsets: number[] = [];
  for (let i = 0; i < count + (threshold >= 0 ? 1 : 0); i++) {
    outputs.push(backend.makeOutput(shape, 'float32'));
    offsets.push(heapOffset(backend, outputs[i]!));
  }
  if (threshold < 0) offsets.push(0);
  return { outputs, offsets };
}

/** The mirror step's end in JavaScript, float32 after every operation (see `kernels.c`). */
function mirror(target: number, d: number, a: FusedMirrorAttrs): [number, number] {
  const next = f(target - f(d * f(a.targetScale)));
  if (a.threshold < 0) return [next, 0];
  const u = f(next * f(a.delta));
  const [lo, hi] = [f(-a.threshold), f(a.threshold)];
  const low = u < lo ? lo : u; // NaN stays NaN
  return [next, f(u - (low > hi ? hi : low))];
}

const elements = (info: TensorInfo) => info.shape.reduce((a, b) => a * b, 1);

/**
 * Multiply-adds one element of each update is worth, for deciding whether sharing a call pays
 * (measured on one thread: LinBreg's update ~0.25 ns per element, AdaBreg's ~0.6, a product
 * ~0.035 per multiply-add): AdaBreg's update of a 200 × 80 kernel (9 µs) is shared.
 */
const WORK_PER_ELEMENT = { adam_step_range: 16, sgd_step_range: 8, momentum_step_range: 8 };

/**
 * Runs one of `kernels.c`'s fused updates over all `n` elements: shared among the backend's
 * threads where it has them (see split-kernels.ts), each element computed as on one thread.
 */
function runStep(
  backend: WasmBackend,
  simd: SimdKernels,
  kernel: keyof typeof WORK_PER_ELEMENT,
  args: number[],
  n: number,
): void {
  const work = n * WORK_PER_ELEMENT[kernel];
  runRangeKernels(backend, simd, [{ kernel, args, total: n, unit: 4, work, scratchFloats: 0 }]);
}

/**
 * One Adam-direction update of a variable in one pass (`FUSED_ADAM_STEP_KERNEL` of
 * `@bregman/optimizers`): the new `m1`, `m2`, `target`, and the weights when ℓ1's prox is
 * fused. In WebAssembly SIMD where it runs, else a JavaScript loop that rounds to float32 after
 * every operation; both give what the separate float32 operations give.
 */
const fusedAdamStep: KernelFunc = ({ inputs, backend: anyBackend, attrs }) => {
  const backend = anyBackend as KernelBackend as WasmBackend;
  const ins = checkedInputs(FUSED_ADAM_STEP_KERNEL, inputs, ['gradient', 'm1', 'm2', 'target']);
  const a = attrs as unknown as FusedAdamStepAttrs;
  const n = elements(ins[0]!);
  const { outputs, offsets } = outputsOf(backend, ins[0]!.shape, 3, a.threshold);
  const simd = simdKernels(backend);
  if (simd) {
    const [g, m1, m2, t] = ins.map((info) => heapOffset(backend, info)) as number[];
    const [m1o, m2o, to, wo] = offsets as number[];
    runStep(
      backend,
      simd,
      'adam_step_range',
      [
        g!,
        m1!,
        m2!,
        t!,
        m1o!,
        m2o!,
        to!,
        wo!,
        n,
        a.beta1,
        1 - a.beta1,
        a.beta2,
        1 - a.beta2,
        a.epsilon,
        a.scale,
        a.targetScale,
        a.delta,
        a.threshold,
      ],
      n,
    );
    return outputs;
  }
  const [g, m1, m2, t] = ins.map((info) => backend.typedArrayFromHeap(info) as Float32Array);
  const [m1o, m2o, to, wo] = outputs.map((o) => backend.typedArrayFromHeap(o) as Float32Array);
  const [b1, c1, b2, c2] = [f(a.beta1), f(1 - a.beta1), f(a.beta2), f(1 - a.beta2)];
  const [eps, s] = [f(a.epsilon), f(a.scale)];
  for (let i = 0; i < n; i++) {
    const gi = g![i]!;
    const first = f(f(m1![i]! * b1) + f(gi * c1));
    const second = f(f(m2![i]! * b2) + f(f(gi * gi) * c2));
    const d = f(f(first / f(f(Math.sqrt(second)) + eps)) * s);
    const [next, weight] = mirror(t![i]!, d, a);
    m1o![i] = first;
    m2o![i] = second;
    to![i] = next;
    if (wo) wo[i] = weight;
  }
  return outputs;
};

/**
 * One LinBreg update of a variable in one pass (`FUSED_SGD_STEP_KERNEL` of
 * `@bregman/optimizers`): the new `target`, and the weights when ℓ1's prox is fused; as
 * {@link fusedAdamStep} does it.
 */
const fusedSgdStep: KernelFunc = ({ inputs, backend: anyBackend, attrs }) => {
  const backend = anyBackend as KernelBackend as WasmBackend;
  const ins = checkedInputs(FUSED_SGD_STEP_KERNEL, inputs, ['gradient', 'target']);
  const a = attrs as unknown as FusedSgdStepAttrs;
  const n = elements(ins[0]!);
  const { outputs, offsets } = outputsOf(backend, ins[0]!.shape, 1, a.threshold);
  const simd = simdKernels(backend);
  if (simd) {
    const [g, t] = ins.map((info) => heapOffset(backend, info)) as number[];
    runStep(
      backend,
      simd,
      'sgd_step_range',
      [g!, t!, offsets[0]!, offsets[1]!, n, a.learningRate, a.targetScale, a.delta, a.threshold],
      n,
    );
    return outputs;
  }
  const [g, t] = ins.map((info) => backend.typedArrayFromHeap(info) as Float32Array);
  const [to, wo] = outputs.map((o) => backend.typedArrayFromHeap(o) as Float32Array);
  const lr = f(a.learningRate);
  for (let i = 0; i < n; i++) {
    const [next, weight] = mirror(t![i]!, f(g![i]! * lr), a);
    to![i] = next;
    if (wo) wo[i] = weight;
  }
  return outputs;
};

/**
 * One update of LinBreg with momentum of a variable in one pass (`FUSED_MOMENTUM_STEP_KERNEL` of
 * `@bregman/optimizers`): the new `m`, `target`, and the weights when ℓ1's prox is fused; as
 * {@link fusedAdamStep} does it.
 */
const fusedMomentumStep: KernelFunc = ({ inputs, backend: anyBackend, attrs }) => {
  const backend = anyBackend as KernelBackend as WasmBackend;
  const ins = checkedInputs(FUSED_MOMENTUM_STEP_KERNEL, inputs, ['gradient', 'm', 'target']);
  const a = attrs as unknown as FusedMomentumStepAttrs;
  const n = elements(ins[0]!);
  const { outputs, offsets } = outputsOf(backend, ins[0]!.shape, 2, a.threshold);
  const simd = simdKernels(backend);
  if (simd) {
    const [g, m, t] = ins.map((info) => heapOffset(backend, info)) as number[];
    const [mo, to, wo] = offsets as number[];
    runStep(
      backend,
      simd,
      'momentum_step_range',
      [g!, m!, t!, mo!, to!, wo!, n, a.momentum, a.scale, a.targetScale, a.delta, a.threshold],
      n,
    );
    return outputs;
  }
  const [g, m, t] = ins.map((info) => backend.typedArrayFromHeap(info) as Float32Array);
  const [mo, to, wo] = outputs.map((o) => backend.typedArrayFromHeap(o) as Float32Array);
  const [b, s] = [f(a.momentum), f(a.scale)];
  for (let i = 0; i < n; i++) {
    const d = f(f(m![i]! * b) + f(g![i]! * s));
    const [next, weight] = mirror(t![i]!, d, a);
    mo![i] = d;
    to![i] = next;
    if (wo) wo[i] = weight;
  }
  return outputs;
};

/** `BregmanFusedAdamStep` (AdaBreg's update of one variable) for the wasm backend. */
export const fusedAdamStepConfig: KernelConfig = {
  kernelName: FUSED_ADAM_STEP_KERNEL,
  backendName: 'wasm',
  kernelFunc: fusedAdamStep,
};

/** `BregmanFusedSgdStep` (LinBreg's update of one variable) for the wasm backend. */
export const fusedSgdStepConfig: KernelConfig = {
  kernelName: FUSED_SGD_STEP_KERNEL,
  backendName: 'wasm',
  kernelFunc: fusedSgdStep,
};

/** `BregmanFusedMomentumStep` (LinBreg with momentum, one variable) for the wasm backend. */
export const fusedMomentumStepConfig: KernelConfig = {
  kernelName: FUSED_MOMENTUM_STEP_KERNEL,
  backendName: 'wasm',
  kernelFunc: fusedMomentumStep,
};
