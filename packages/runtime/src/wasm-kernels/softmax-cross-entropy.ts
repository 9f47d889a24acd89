import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { util } from '@tensorflow/tfjs-core';
import {
  SOFTMAX_CROSS_ENTROPY_GRAD_KERNEL,
  SOFTMAX_CROSS_ENTROPY_KERNEL,
} from '../softmax-cross-entropy.js';
import { requireFloat32, requireShape } from './checks.js';
import { heapOffset, simdKernels } from './simd/instance.js';
import type { WasmBackend } from './wasm-calls.js';

const f = Math.fround;

/** Rows and classes of `logits` (classes on the last axis), checked non-empty. */
function rowsAndClasses(kernel: string, logits: TensorInfo): [number, number] {
  const size = util.sizeFromShape(logits.shape);
  const classes = logits.shape[logits.shape.length - 1] ?? 0;
  if (logits.shape.length < 1 || size === 0) {
    throw new Error(
      `${kernel} on wasm: logits must have at least one row and one class, got shape [${logits.shape.join(', ')}]`,
    );
  }
  return [size / classes, classes];
}

/**
 * `log softmax(x)` and the mean loss in JavaScript, in the cpu backend's float32 operations and
 * order (see `softmax_cross_entropy` in `kernels.c`, which does the same in WebAssembly).
 */
function lossInJavaScript(
  x: Float32Array,
  t: Float32Array,
  logp: Float32Array,
  rows: number,
  classes: number,
): number {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * classes;
    let m = x[o]!;
    for (let j = 0; j < classes; j++) {
      const v = x[o + j]!;
      if (Number.isNaN(v) || v > m) m = v;
    }
    let c = 0;
    for (let j = 0; j < classes; j++) c += f(Math.exp(f(x[o + j]! - m)));
    const lse = f(m + f(Math.log(f(c))));
    let row = 0;
    for (let j = 0; j < classes; j++) {
      const v = f(x[o + j]! - lse);
      logp[o + j] = v;
      row += -f(v * t[o + j]!);
    }
    total += f(row);
  }
  return f(f(total) / rows);
}

/**
 * `SOFTMAX_CROSS_ENTROPY_KERNEL` for the wasm backend: the loss and `log softmax` of the logits
 * in one WebAssembly call (`softmax_cross_entropy`), exactly as the cpu backend's composition of
 * `tf.losses.softmaxCrossEntropy` (`Math.exp` and `Math.log` rounded to float32: the kernels
 * compute them in double precision); a JavaScript loop that does the same where the SIMD kernels
 * do not run.
 */
const softmaxCrossEntropyKernel: KernelFunc = ({ inputs, backend: anyBackend }) => {
  const backend = anyBackend as KernelBackend as WasmBackend;
  const { logits, labels } = inputs as { logits?: TensorInfo; labels?: TensorInfo };
  if (!logits || !labels) {
    throw new Error(
      `${SOFTMAX_CROSS_ENTROPY_KERNEL} on wasm: the inputs 'logits' and 'labels' are required`,
    );
  }
  requireFloat32(SOFTMAX_CROSS_ENTROPY_KERNEL, { logits, labels });
  requireShape(SOFTMAX_CROSS_ENTROPY_KERNEL, 'labels', labels, logits.shape);
  const [rows, classes] = rowsAndClasses(SOFTMAX_CROSS_ENTROPY_KERNEL, logits);
  const loss = backend.makeOutput([], 'float32');
  const logp = backend.makeOutput(logits.shape, 'float32');
  const simd = simdKernels(backend);
  if (simd) {
    const [x, t, lp, out] = [logits, labels, logp, loss].map((i) => heapOffset(backend, i));
    simd.softmax_cross_entropy(x!, t!, lp!, out!, rows, classes);
  } else {
    const [x, t, lp, out] = [logits, labels, logp, loss].map(
      (i) => backend.typedArrayFromHeap(i) as Float32Array,
    );
    out![0] = lossInJavaScript(x!, t!, lp!, rows, classes);
  }
  return [loss, logp];
};

/**
 * `SOFTMAX_CROSS_ENTROPY_GRAD_KERNEL` for the wasm backend: `(dy / rows)·(e^logp − labels)` in
 * one WebAssembly call (`softmax_cross_entropy_grad`), float32 after every operation and `e^x`
 * as the cpu backend's `Math.exp`; a JavaScript loop where the SIMD kernels do not run.
 */
const softmaxCrossEntropyGradKernel: KernelFunc = ({ inputs, backend: anyBackend }) => {
  const backend = anyBackend as KernelBackend as WasmBackend;
  const { dy, logp, labels } = inputs as {
    dy?: TensorInfo;
    logp?: TensorInfo;
    labels?: TensorInfo;
  };
  if (!dy || !logp || !labels) {
    throw new Error(
      `${SOFTMAX_CROSS_ENTROPY_GRAD_KERNEL} on wasm: the inputs 'dy', 'logp' and 'labels' are required`,
    );
  }
  requireFloat32(SOFTMAX_CROSS_ENTROPY_GRAD_KERNEL, { dy, logp, labels });
  requireShape(SOFTMAX_CROSS_ENTROPY_GRAD_KERNEL, 'dy', dy, []);
  requireShape(SOFTMAX_CROSS_ENTROPY_GRAD_KERNEL, 'labels', labels, logp.shape);
  const [rows] = rowsAndClasses(SOFTMAX_CROSS_ENTROPY_GRAD_KERNEL, logp);
  const n = util.sizeFromShape(logp.shape);
  const dx = backend.makeOutput(logp.shape, 'float32');
  const simd = simdKernels(backend);
  if (simd) {
    const [g, lp, t, out] = [dy, logp, labels, dx].map((i) => heapOffset(backend, i));
    simd.softmax_cross_entropy_grad(g!, lp!, t!, out!, n, rows);
    return dx;
  }
  const [g, lp, t, out] = [dy, logp, labels, dx].map(
    (i) => backend.typedArrayFromHeap(i) as Float32Array,
  );
  const scale = f(g![0]! / rows);
  for (let i = 0; i < n; i++) out![i] = f(scale * f(f(Math.exp(lp![i]!)) - t![i]!));
  return dx;
};

/** The forward kernel of `softmaxCrossEntropy` for the wasm backend: see above. */
export const softmaxCrossEntropyConfig: KernelConfig = {
  kernelName: SOFTMAX_CROSS_ENTROPY_KERNEL,
  backendName: 'wasm',
  kernelFunc: softmaxCrossEntropyKernel,
};

/** The gradient kernel of `softmaxCrossEntropy` for the wasm backend: see above. */
export const softmaxCrossEntropyGradConfig: KernelConfig = {
  kernelName: SOFTMAX_CROSS_ENTROPY_GRAD_KERNEL,
  backendName: 'wasm',
  kernelFunc: softmaxCrossEntropyGradKernel,
};
