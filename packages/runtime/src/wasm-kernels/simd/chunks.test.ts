import { describe, expect, it } from 'vitest';
import { productRowBlocks } from '../mat-mul.js';
import { chunkRange } from './gemm-control.js';
import { CHUNK_MIN_WORK, chunkCount } from './gemm-threads.js';

describe('how a call is cut into chunks', () => {
  it('chunks cover the range once, in order, within one unit of each other', () => {
    for (const [total, unit, chunks] of [
      [200, 8, 5],
      [50, 1, 6],
      [203, 8, 4],
      [7, 4, 2],
      [1000, 1, 7],
    ] as const) {
      const units = Math.ceil(total / unit);
      let next = 0;
      const sizes: number[] = [];
      for (let c = 0; c < chunks; c++) {
        const [begin, end] = chunkRange(c, chunks, units, unit, total);
        expect(begin).toBe(next);
        expect(begin % unit).toBe(0);
        next = end;
        sizes.push(Math.ceil(end / unit) - begin / unit);
      }
      expect(next).toBe(total);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });

  it('a multiple of the threads, about one chunk per CHUNK_MIN_WORK, one per thread when even', () => {
    expect(chunkCount(50, 5 * CHUNK_MIN_WORK, 2, false)).toBe(6);
    expect(chunkCount(50, CHUNK_MIN_WORK / 4, 2, false)).toBe(2);
    expect(chunkCount(50, 5 * CHUNK_MIN_WORK, 4, false)).toBe(8);
    expect(chunkCount(3, 100 * CHUNK_MIN_WORK, 4, false)).toBe(3); // no more chunks than units
    expect(chunkCount(50, 100 * CHUNK_MIN_WORK, 2, true)).toBe(2);
    expect(chunkCount(1e6, 1e12, 2, false)).toBe(0xffff);
  });
});

describe('the row blocks of a shared product', () => {
  it('none on one thread; enough tiles for 16 per thread, blocks of ≥ 8 rows', () => {
    expect(productRowBlocks(128, 25, 1)).toEqual({ blocks: 1, rows: 128 });
    expect(productRowBlocks(128, 25, 2)).toEqual({ blocks: 2, rows: 64 }); // the MLP's 784 → 200
    expect(productRowBlocks(128, 40, 2)).toEqual({ blocks: 1, rows: 128 });
    expect(productRowBlocks(12, 2, 2)).toEqual({ blocks: 1, rows: 12 }); // too few rows
    for (const [m, panels, threads] of [
      [1000, 2, 2],
      [300, 26, 2],
      [64, 3, 8],
      [17, 1, 2],
      [130, 1, 2],
      [1030, 1, 4],
    ] as const) {
      const { blocks, rows } = productRowBlocks(m, panels, threads);
      expect(rows % 4).toBe(0);
      expect(rows).toBeGreaterThanOrEqual(8);
      expect(blocks * rows).toBeGreaterThanOrEqual(m);
      expect((blocks - 1) * rows).toBeLessThan(m); // no empty block
    }
  });
});
