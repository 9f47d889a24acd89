import type {
  KernelBackend,
  KernelConfig,
  KernelFunc,
  SliceAttrs,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { slice_util } from '@tensorflow/tfjs-core';
import { stockKernel } from './stock-kernels.js';
import { callKernel, type WasmBackend } from './wasm-calls.js';

/**
 * `tf.slice` for the wasm backend. tfjs-backend-wasm 4.22's `Slice` first copies its whole
 * input out of the heap (`readSync`) and then copies the slice from that copy: taking 64 rows of
 * a `[128, 784]` batch cost 0.17 ms, and taking a batch from a whole dataset tensor copies the
 * dataset. This one reads the input where it lies on the heap and copies only the slice, as
 * whole innermost runs: one pass over the output. Strings go to the stock kernel.
 */
const slice: KernelFunc = ({ inputs, backend: anyBackend, attrs }) => {
  const backend = anyBackend as KernelBackend;
  const { x } = inputs as { x: TensorInfo };
  if (x.dtype === 'string') return callKernel(stockKernel('Slice'), backend, inputs, attrs);
  const { begin, size } = attrs as unknown as SliceAttrs;
  const [start, shape] = slice_util.parseSliceParams(x, begin, size) as [number[], number[]];
  slice_util.assertParamsValid(x, start, shape);
  const wasm = backend as WasmBackend;
  const out = wasm.makeOutput(shape, x.dtype);
  const dst = wasm.typedArrayFromHeap(out);
  if (dst.length === 0) return out;
  const src = wasm.typedArrayFromHeap(x);
  const rank = x.shape.length;
  if (rank === 0) {
    dst.set(src);
    return out;
  }
  // the innermost axes that the slice takes whole, merged with the first one it cuts, make
  // one contiguous run per index of the outer axes
  let inner = rank - 1;
  while (inner > 0 && shape[inner] === x.shape[inner]) inner--;
  const strides = new Array<number>(rank).fill(1);
  for (let i = rank - 2; i >= 0; i--) strides[i] = strides[i + 1]! * x.shape[i + 1]!;
  const run = shape.slice(inner).reduce((a, b) => a * b, 1);
  const index = new Array<number>(inner).fill(0); // odometer over the outer axes
  for (let o = 0; o < dst.length; o += run) {
    let s = start[inner]! * strides[inner]!;
    for (let i = 0; i < inner; i++) s += (start[i]! + index[i]!) * strides[i]!;
    dst.set(src.subarray(s, s + run), o);
    for (let i = inner - 1; i >= 0; i--) {
      index[i] = index[i]! + 1;
      if (index[i]! < shape[i]!) break;
      index[i] = 0;
    }
  }
  return out;
};

/** `Slice` for the wasm backend: copies only the slice, from the heap (see {@link slice}). */
export const sliceConfig: KernelConfig = {
  kernelName: 'Slice',
  backendName: 'wasm',
  kernelFunc: slice,
};
