// The "stock" baseline's filter gradient: tfjs-backend-wasm 4.22 registers no
// Conv2DBackpropFilter, so a stock wasm backend cannot train a conv net at all. This is the
// direct loop of tfjs-backend-cpu's conv2DBackpropFilter (NHWC), run on the wasm heap — what a
// user without @bregman/runtime would have to write. Used only by the benchmark.
import * as tf from '@tensorflow/tfjs';

export const naiveConv2DBackpropFilterConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs;
    const { strides, pad, dimRoundingMode, filterShape } = attrs;
    const info = tf.backend_util.computeConv2DInfo(
      x.shape,
      filterShape,
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    const { strideHeight, strideWidth, filterHeight, filterWidth, padInfo } = info;
    const dw = backend.makeOutput(info.filterShape, 'float32');
    const xv = backend.typedArrayFromHeap(x);
    const dyv = backend.typedArrayFromHeap(dy);
    const dwv = backend.typedArrayFromHeap(dw);
    const [xS0, xS1, xS2] = [
      x.shape[1] * x.shape[2] * x.shape[3],
      x.shape[2] * x.shape[3],
      x.shape[3],
    ];
    const [dyS0, dyS1, dyS2] = [
      dy.shape[1] * dy.shape[2] * dy.shape[3],
      dy.shape[2] * dy.shape[3],
      dy.shape[3],
    ];
    const { inChannels, outChannels, batchSize, outHeight, outWidth, inHeight, inWidth } = info;
    const leftPad = padInfo.left;
    const topPad = padInfo.top;
    for (let wR = 0; wR < filterHeight; ++wR) {
      const yRMin = Math.max(0, Math.ceil((topPad - wR) / strideHeight));
      const yRMax = Math.min(outHeight, (inHeight + topPad - wR) / strideHeight);
      for (let wC = 0; wC < filterWidth; ++wC) {
        const yCMin = Math.max(0, Math.ceil((leftPad - wC) / strideWidth));
        const yCMax = Math.min(outWidth, (inWidth + leftPad - wC) / strideWidth);
        for (let d1 = 0; d1 < inChannels; ++d1) {
          for (let d2 = 0; d2 < outChannels; ++d2) {
            let dotProd = 0;
            for (let b = 0; b < batchSize; ++b) {
              for (let yR = yRMin; yR < yRMax; ++yR) {
                const xR = wR + yR * strideHeight - topPad;
                for (let yC = yCMin; yC < yCMax; ++yC) {
                  const xC = wC + yC * strideWidth - leftPad;
                  dotProd +=
                    xv[b * xS0 + xR * xS1 + xC * xS2 + d1] *
                    dyv[b * dyS0 + yR * dyS1 + yC * dyS2 + d2];
                }
              }
            }
            dwv[((wR * filterWidth + wC) * inChannels + d1) * outChannels + d2] = dotProd;
          }
        }
      }
    }
    return dw;
  },
};
