import type { Conv2DAttrs } from '@tensorflow/tfjs-core';

/**
 * A numeric padding `p` written as the explicit padding it means. tfjs-core 4.22's
 * `computeConv2DInfo` computes the output *width* of a numeric padding with the filter's
 * height and the stride along the height, so a non-square filter or stride gets a wrong
 * output shape — and tfjs-backend-wasm's Conv2D then writes past its output buffer (heap
 * corruption). Explicit paddings are computed per axis and mean the same thing.
 */
export function explicitPadding(
  pad: Conv2DAttrs['pad'],
  dataFormat: Conv2DAttrs['dataFormat'] | undefined,
): Conv2DAttrs['pad'] {
  if (typeof pad !== 'number') return pad;
  return dataFormat === 'NCHW'
    ? [
        [0, 0],
        [0, 0],
        [pad, pad],
        [pad, pad],
      ]
    : [
        [0, 0],
        [pad, pad],
        [pad, pad],
        [0, 0],
      ];
}
