import type {
  Conv2DAttrs,
  KernelBackend,
  KernelConfig,
  KernelFunc,
  NamedAttrMap,
} from '@tensorflow/tfjs-core';
import { explicitPadding } from './padding.js';
import { stockKernel } from './stock-kernels.js';
import { callKernel } from './wasm-calls.js';

/** tfjs-backend-wasm's own forward convolution, with a numeric padding made explicit. */
function withExplicitPadding(kernelName: string): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { pad, dataFormat } = attrs as unknown as Conv2DAttrs;
    return callKernel(stockKernel(kernelName), backend as KernelBackend, inputs, {
      ...attrs,
      pad: explicitPadding(pad, dataFormat),
    } as NamedAttrMap);
  };
}

/** `Conv2D` for the wasm backend: the stock XNNPACK kernel, safe with numeric paddings. */
export const conv2DConfig: KernelConfig = {
  kernelName: 'Conv2D',
  backendName: 'wasm',
  kernelFunc: withExplicitPadding('Conv2D'),
};

/** `FusedConv2D` for the wasm backend: the stock XNNPACK kernel, safe with numeric paddings. */
export const fusedConv2DConfig: KernelConfig = {
  kernelName: 'FusedConv2D',
  backendName: 'wasm',
  kernelFunc: withExplicitPadding('FusedConv2D'),
};
