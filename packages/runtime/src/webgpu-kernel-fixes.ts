import * as tf from '@tensorflow/tfjs-core';

/** A compute program of tfjs-backend-webgpu, as far as {@link fixIntegerTranspose} reads it. */
interface Program {
  shaderKey: string;
  getUserCode(): string;
}

/** The part of tfjs-backend-webgpu's `WebGPUBackend` that {@link fixIntegerTranspose} changes. */
interface ProgramRunner {
  runWebGPUProgram(program: Program, ...rest: unknown[]): unknown;
}

/** The part of tfjs-backend-webgpu's `WebGPUBackend` that {@link splitLongAddN} reads. */
interface DeviceOwner {
  device: { limits: { maxStorageBuffersPerShaderStage: number } };
  disposeData(dataId: object): void;
}

/**
 * The store of `TransposeProgram`'s shader (tfjs-backend-webgpu 4.22): `A[…]` is `i32` when
 * the input is stored as int32 or bool, but `setOutputAtIndex` takes an `f32`.
 */
const UNCAST_STORE = /setOutputAtIndex\(flatIndex, (A\[[\s\S]*?\])\);/;

/**
 * Makes tfjs-backend-webgpu's general transpose (any permutation but a 2-D `[1, 0]`) work on
 * int32 and bool tensors — what `tf.any` / `tf.all` over leading axes, or `tf.transpose` of
 * an int32 or bool tensor (or of a float32 cast of one, which keeps the int32 storage), run.
 * Its WGSL shader stores the `i32` it reads with `setOutputAtIndex(…, f32)`: Dawn (and Chrome
 * from 141) reject the shader, and the output is left as whatever its (pooled) GPU buffer held
 * before — wrong values without an error (tfjs issue #8638). The fix of tfjs PR #8616, an
 * `f32(…)` around the read, is applied to every such program before it compiles (the output
 * is converted back to its dtype as every tfjs-backend-webgpu program does).
 */
export function fixIntegerTranspose(backend: ProgramRunner): void {
  const run = backend.runWebGPUProgram.bind(backend);
  backend.runWebGPUProgram = (program: Program, ...rest: unknown[]) => {
    if (program.shaderKey.startsWith('transpose_')) {
      const userCode = program.getUserCode.bind(program);
      program.getUserCode = () =>
        userCode().replace(UNCAST_STORE, 'setOutputAtIndex(flatIndex, f32($1));');
    }
    return run(program, ...rest);
  };
}

/** The `AddN` kernels {@link splitLongAddN} registered (so that it wraps one only once). */
const splitAddN = new WeakSet<tf.KernelFunc>();

/**
 * Makes tfjs-backend-webgpu's `AddN` (`tf.addN`) work with more inputs than the device binds
 * storage buffers per shader (`maxStorageBuffersPerShaderStage`: 16 on Mesa's llvmpipe, often
 * 8 or 10 on a GPU) — e.g. the ℓ1 norm of a ResNet-18's 21 kernels in `@bregman/metrics`. Its
 * one shader reads every input: the pipeline is invalid, and so is the whole command buffer it
 * is submitted with (the other kernels' results too), without an error in JavaScript. This
 * registers an `AddN` that sums the inputs in chunks that fit, in the same order (left to
 * right), so the float32 sums are the same. Call after tfjs-backend-webgpu registered its
 * kernels; calling it again changes nothing.
 */
export function splitLongAddN(): void {
  const kernel = tf.getKernel(tf.AddN, 'webgpu');
  if (!kernel || splitAddN.has(kernel.kernelFunc)) return;
  const addN = kernel.kernelFunc;
  const split: tf.KernelFunc = ({ inputs, backend, attrs }) => {
    const tensors = inputs as unknown as tf.TensorInfo[];
    const owner = backend as unknown as DeviceOwner;
    const most = owner.device.limits.maxStorageBuffersPerShaderStage - 1; // one is the output
    if (tensors.length <= most) return addN({ inputs, backend, ...(attrs ? { attrs } : {}) });
    const sumOf = (part: tf.TensorInfo[]) =>
      addN({ inputs: part as unknown as tf.NamedTensorInfoMap, backend }) as tf.TensorInfo;
    let sum = sumOf(tensors.slice(0, most));
    for (let i = most; i < tensors.length; i += most - 1) {
      const next = sumOf([sum, ...tensors.slice(i, i + most - 1)]);
      owner.disposeData(sum.dataId);
      sum = next;
    }
    return sum;
  };
  splitAddN.add(split);
  tf.unregisterKernel(tf.AddN, 'webgpu');
  tf.registerKernel({ kernelName: tf.AddN, backendName: 'webgpu', kernelFunc: split });
}
