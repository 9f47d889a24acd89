import type { TensorInfo } from '@tensorflow/tfjs-core';

/** Throws unless the kernel runs in NHWC layout, the only one its XNNPACK route handles. */
export function requireNHWC(kernel: string, dataFormat: string | undefined): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(
      `${kernel} on wasm (@bregman/runtime): dataFormat must be 'NHWC', got '${dataFormat}' ` +
        "(tfjs-backend-wasm's Conv2D itself only runs 'NHWC')",
    );
  }
}

/** Throws unless every input is float32. */
export function requireFloat32(kernel: string, inputs: Record<string, TensorInfo>): void {
  for (const [name, info] of Object.entries(inputs)) {
    if (info.dtype !== 'float32') {
      throw new Error(`${kernel} on wasm: ${name} must be float32, got ${info.dtype}`);
    }
  }
}

/** Throws unless `info` has exactly `shape`. */
export function requireShape(
  kernel: string,
  name: string,
  info: TensorInfo,
  shape: number[],
): void {
  if (info.shape.length !== shape.length || info.shape.some((d, i) => d !== shape[i])) {
    throw new Error(
      `${kernel} on wasm: ${name} must have shape [${shape.join(', ')}], got [${info.shape.join(', ')}]`,
    );
  }
}
