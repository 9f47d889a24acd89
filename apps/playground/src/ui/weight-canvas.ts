import { colorScale, weightColor } from './colors.js';

/** A Dense kernel `[nIn, nOut]`, row-major. */
export interface Kernel {
  /** `[nIn, nOut]`. */
  shape: readonly [number, number];
  /** `nIn · nOut` values. */
  values: Float32Array;
}

/**
 * Draws a Dense kernel as an image, one row per neuron (its incoming weights, left to right)
 * and one pixel per weight: grey for zero, red / blue for positive / negative. The canvas gets
 * the kernel's size in pixels; CSS scales it.
 */
export function drawKernel(canvas: HTMLCanvasElement, kernel: Kernel): void {
  const [nIn, nOut] = kernel.shape;
  if (kernel.values.length !== nIn * nOut) {
    throw new RangeError(
      `kernel.values has ${kernel.values.length} entries, expected ${nIn} × ${nOut}`,
    );
  }
  if (canvas.width !== nIn) canvas.width = nIn;
  if (canvas.height !== nOut) canvas.height = nOut;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('no 2d context for the weights canvas');
  const image = context.createImageData(nIn, nOut);
  const scale = colorScale(kernel.values);
  for (let i = 0; i < nIn; i++) {
    for (let j = 0; j < nOut; j++) {
      const [r, g, b] = weightColor(kernel.values[i * nOut + j]!, scale);
      const at = 4 * (j * nIn + i);
      image.data[at] = r;
      image.data[at + 1] = g;
      image.data[at + 2] = b;
      image.data[at + 3] = 255;
    }
  }
  context.putImageData(image, 0, 0);
}
