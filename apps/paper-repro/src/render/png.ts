import { encode } from 'fast-png';

/** A grey image: `height × width` values, row-major, shown from `low` (black) to `high` (white). */
export interface GreyTile {
  /** Rows. */
  height: number;
  /** Columns. */
  width: number;
  /** `height · width` values. */
  values: ArrayLike<number>;
}

/** Options of {@link tileGrid}. */
export interface TileGridOptions {
  /** Tiles per row of the grid. */
  columns: number;
  /** The value shown black (default 0). */
  low?: number;
  /** The value shown white (default 1). */
  high?: number;
  /** Pixels between tiles (default 2, white). */
  gap?: number;
  /** Each tile pixel becomes `scale × scale` image pixels (default 1). */
  scale?: number;
}

/**
 * Lays equally sized grey tiles out in a grid and encodes it as an 8-bit greyscale PNG.
 * Values are mapped linearly from [low, high] to [0, 255] and clipped there.
 */
export function tileGrid(tiles: readonly GreyTile[], options: TileGridOptions): Uint8Array {
  const { columns, low = 0, high = 1, gap = 2, scale = 1 } = options;
  const first = tiles[0];
  if (!first) throw new RangeError('tileGrid: no tiles');
  const { height, width } = first;
  const rows = Math.ceil(tiles.length / columns);
  const tileW = width * scale;
  const tileH = height * scale;
  const imageW = columns * tileW + (columns + 1) * gap;
  const imageH = rows * tileH + (rows + 1) * gap;
  const pixels = new Uint8Array(imageW * imageH).fill(255);
  const span = high - low || 1;
  tiles.forEach((tile, t) => {
    if (tile.height !== height || tile.width !== width) {
      throw new RangeError(
        `tileGrid: tile ${t} is ${tile.height}×${tile.width}, the first is ${height}×${width}`,
      );
    }
    const x0 = gap + (t % columns) * (tileW + gap);
    const y0 = gap + Math.floor(t / columns) * (tileH + gap);
    for (let y = 0; y < tileH; y++) {
      for (let x = 0; x < tileW; x++) {
        const v = tile.values[Math.floor(y / scale) * width + Math.floor(x / scale)]!;
        const byte = Math.round((255 * (v - low)) / span);
        pixels[(y0 + y) * imageW + x0 + x] = Math.max(0, Math.min(255, byte));
      }
    }
  });
  return encode({ width: imageW, height: imageH, data: pixels, channels: 1, depth: 8 });
}
