import { colorScale, weightColor } from './colors.js';
import type { Kernel } from './weight-canvas.js';

/** Tiles per row of the grid. */
const COLUMNS = 20;

/** Pixels between tiles. */
const GAP = 1;

/**
 * The first layer's receptive fields: for each live neuron (a non-zero incoming weight), its
 * 784 weights as a `side × side` tile, neurons in order, dead ones left out. Each tile has its
 * own colour scale (grey 0, red positive, blue negative). Returns how many tiles it drew.
 */
export function drawReceptiveFields(
  canvas: HTMLCanvasElement,
  kernel: Kernel,
  side: number,
): number {
  const [nIn, nOut] = kernel.shape;
  if (nIn !== side * side) {
    throw new RangeError(`the first kernel has ${nIn} inputs, expected ${side} × ${side}`);
  }
  const live: number[] = [];
  const columns: Float32Array[] = [];
  for (let j = 0; j < nOut; j++) {
    const column = new Float32Array(nIn);
    let any = false;
    for (let i = 0; i < nIn; i++) {
      column[i] = kernel.values[i * nOut + j]!;
      if (column[i] !== 0) any = true;
    }
    if (any) {
      live.push(j);
      columns.push(column);
    }
  }
  const rows = Math.max(1, Math.ceil(nOut / COLUMNS));
  const cell = side + GAP;
  canvas.width = COLUMNS * cell - GAP;
  canvas.height = rows * cell - GAP;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('no 2d context for the receptive fields canvas');
  context.clearRect(0, 0, canvas.width, canvas.height);
  columns.forEach((column, k) => {
    const tile = context.createImageData(side, side);
    const scale = colorScale(column);
    for (let p = 0; p < nIn; p++) {
      const [r, g, b] = weightColor(column[p]!, scale);
      tile.data.set([r, g, b, 255], 4 * p);
    }
    context.putImageData(tile, (k % COLUMNS) * cell, Math.floor(k / COLUMNS) * cell);
  });
  return live.length;
}
