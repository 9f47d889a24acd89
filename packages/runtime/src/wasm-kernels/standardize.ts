import { STANDARDIZE_KERNEL } from '@bregman/models';
import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { util } from '@tensorflow/tfjs-core';
import { requireFloat32 } from './checks.js';
import { heapOffset, simdKernels } from './simd/instance.js';
import { runRangeKernels } from './simd/split-kernels.js';
import type { WasmBackend } from './wasm-calls.js';

const f = Math.fround;

/**
 * `STANDARDIZE_KERNEL` of `@bregman/models` (the `Standardize` layer's `(x − mean) / std`) for
 * the wasm backend: one pass instead of `Sub` and `RealDiv` (and one tape node instead of two),
 * in WebAssembly SIMD shared among the backend's threads where it has them, else a JavaScript
 * loop; float32 after each operation, as `tf.div(tf.sub(x, mean), std)`.
 */
const standardizeKernel: KernelFunc = ({ inputs, backend: anyBackend }) => {
  const backend = anyBackend as KernelBackend as WasmBackend;
  const { x, mean, std } = inputs as { x?: TensorInfo; mean?: TensorInfo; std?: TensorInfo };
  if (!x || !mean || !std) {
    throw new Error(`${STANDARDIZE_KERNEL} on wasm: the inputs 'x', 'mean' and 'std' are required`);
  }
  requireFloat32(STANDARDIZE_KERNEL, { x, mean, std });
  const channels = x.shape[x.shape.length - 1] ?? 1;
  const [means, stds] = [mean, std].map((info) => util.sizeFromShape(info.shape));
  for (const [name, count] of [
    ['mean', means],
    ['std', stds],
  ] as const) {
    if (count !== 1 && count !== channels) {
      throw new Error(
        `${STANDARDIZE_KERNEL} on wasm: ${name} must have 1 entry or one per channel (${channels}, the last axis of x), got ${count}`,
      );
    }
  }
  const out = backend.makeOutput(x.shape, 'float32');
  const size = util.sizeFromShape(x.shape);
  if (size === 0) return out;
  const perChannel = means !== 1 || stds !== 1;
  const simd = simdKernels(backend);
  if (simd && (!perChannel || (means === channels && stds === channels))) {
    const offsets = [x, mean, std, out].map((info) => heapOffset(backend, info));
    runRangeKernels(backend, simd, [
      {
        kernel: 'standardize_range',
        args: [...offsets, channels, perChannel ? 1 : 0],
        total: size,
        unit: perChannel ? channels : 4,
        work: size,
        scratchFloats: 0,
      },
    ]);
    return out;
  }
  const [xs, ms, ss, os] = [x, mean, std, out].map(
    (info) => backend.typedArrayFromHeap(info) as Float32Array,
  );
  for (let i = 0; i < size; i++) {
    const c = i % channels;
    os![i] = f(f(xs![i]! - ms![means === 1 ? 0 : c]!) / ss![stds === 1 ? 0 : c]!);
  }
  return out;
};

/** `STANDARDIZE_KERNEL` for the wasm backend: see above. */
export const standardizeConfig: KernelConfig = {
  kernelName: STANDARDIZE_KERNEL,
  backendName: 'wasm',
  kernelFunc: standardizeKernel,
};
