import type {
  KernelBackend,
  KernelConfig,
  KernelFunc,
  StepAttrs,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { util } from '@tensorflow/tfjs-core';
import { heapOffset, simdKernels } from './simd/instance.js';
import { runRangeKernels } from './simd/split-kernels.js';
import { stockKernel } from './stock-kernels.js';
import { callKernel, type WasmBackend } from './wasm-calls.js';

/** `unary_range`'s operations, by their number there. */
const OPS = { Relu: 0, Step: 1, Exp: 2, Log: 3, Sqrt: 4, Square: 5 } as const;

/**
 * Multiply-adds one entry of each operation is worth, for deciding whether sharing a call
 * pays: `Exp` and `Log` are ~30 double-precision operations per entry, a square root a few
 * multiplications' time.
 */
const WORK_PER_ENTRY = { Relu: 1, Step: 1, Exp: 16, Log: 16, Sqrt: 4, Square: 1 } as const;

/**
 * `Relu` (op 0: `max(0, x)`), `Step` (op 1: `x > 0 ? 1 : alpha`, the ReLU gradient's mask) or
 * `Exp` (op 2: softmax's; computed in double precision and rounded once, as the `cpu` backend's
 * `Math.exp`: tfjs-backend-wasm's took 5.6 ns per entry, 8 µs for 128 × 10) or `Log` (op 3:
 * likewise as `Math.log`; tfjs-backend-wasm's is float32's `log`, which differs from it in the
 * last bit for some entries), `Sqrt` (op 4) or `Square` (op 5: `x · x`; both correctly rounded,
 * as the `cpu` backend's `Math.sqrt` and `x * x` rounded to float32; tfjs-backend-wasm's run a
 * scalar loop on the calling thread: 0.15 ms for tfjs's Adam on a 784 × 200 kernel) of a
 * float32 tensor
 * in this package's WebAssembly SIMD kernel (`unary_range`), NaN kept as on the `cpu` backend,
 * the entries shared among the backend's threads where it has them (tfjs's own kernels run on
 * the calling thread only). Other dtypes go to the stock kernel.
 */
function activation(kernelName: keyof typeof OPS): KernelFunc {
  return ({ inputs, backend: anyBackend, attrs }) => {
    const backend = anyBackend as KernelBackend;
    const { x } = inputs as { x: TensorInfo };
    const simd = simdKernels(backend);
    if (!simd || x.dtype !== 'float32') {
      return callKernel(stockKernel(kernelName), backend, inputs, attrs);
    }
    const wasm = backend as WasmBackend;
    const out = wasm.makeOutput(x.shape, 'float32');
    const size = util.sizeFromShape(x.shape);
    if (size === 0) return out;
    const alpha = kernelName === 'Step' ? ((attrs as unknown as StepAttrs).alpha ?? 0) : 0;
    runRangeKernels(wasm, simd, [
      {
        kernel: 'unary_range',
        args: [heapOffset(backend, x), heapOffset(backend, out), OPS[kernelName], alpha],
        total: size,
        unit: 4,
        work: size * WORK_PER_ENTRY[kernelName],
        scratchFloats: 0,
      },
    ]);
    return out;
  };
}

/** The wasm kernel config of one of `unary_range`'s operations: see {@link activation}. */
function activationConfig(kernelName: keyof typeof OPS): KernelConfig {
  return { kernelName, backendName: 'wasm', kernelFunc: activation(kernelName) };
}

/** `Relu` for the wasm backend: see {@link activation}. */
export const reluConfig = activationConfig('Relu');
/** `Step` for the wasm backend: see {@link activation}. */
export const stepConfig = activationConfig('Step');
/** `Exp` for the wasm backend: see {@link activation}. */
export const expConfig = activationConfig('Exp');
/** `Log` for the wasm backend: see {@link activation}. */
export const logConfig = activationConfig('Log');
/** `Sqrt` for the wasm backend: see {@link activation}. */
export const sqrtConfig = activationConfig('Sqrt');
/** `Square` for the wasm backend: see {@link activation}. */
export const squareConfig = activationConfig('Square');
