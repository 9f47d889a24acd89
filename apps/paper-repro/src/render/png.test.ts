import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { tileGrid } from './png.js';

describe('tileGrid', () => {
  it('lays tiles out in a grid with gaps, maps [low, high] to 0–255 and clips', () => {
    const tiles = [
      { height: 1, width: 2, values: [0, 1] },
      { height: 1, width: 2, values: [-1, 2] },
      { height: 1, width: 2, values: [0.5, 0.5] },
    ];
    const png = decode(tileGrid(tiles, { columns: 2, gap: 1 }));
    expect([png.width, png.height, png.channels]).toEqual([7, 5, 1]);
    const row = (y: number) => Array.from(png.data.slice(y * 7, y * 7 + 7));
    expect(row(0)).toEqual([255, 255, 255, 255, 255, 255, 255]);
    expect(row(1)).toEqual([255, 0, 255, 255, 0, 255, 255]);
    expect(row(3)).toEqual([255, 128, 128, 255, 255, 255, 255]);
  });

  it('scale enlarges every tile pixel; tiles of another size are an error', () => {
    const png = decode(
      tileGrid([{ height: 1, width: 1, values: [1] }], { columns: 1, gap: 0, scale: 3 }),
    );
    expect([png.width, png.height]).toEqual([3, 3]);
    expect(() =>
      tileGrid(
        [
          { height: 1, width: 1, values: [0] },
          { height: 2, width: 1, values: [0, 0] },
        ],
        { columns: 2 },
      ),
    ).toThrow(/tile 1 is 2×1, the first is 1×1/);
  });
});
