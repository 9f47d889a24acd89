import { describe, expect, it } from 'vitest';
import { RESNET18_WASM_IMAGES_PER_SECOND, table3 } from './table3.js';

describe('Table 3: what running it takes', () => {
  it('gives the command and the expected time per epoch from the measured ResNet-18 rate', () => {
    const paper = table3.running!('paper');
    expect(paper).toContain('`pnpm repro table3 --data-dir DIR --profile paper`');
    expect(paper).toContain('6 runs × 180 epochs on 45,000 training images');
    // 45,000 images at 12.3 images/s: 3,659 s per epoch; × 6 runs × 180 epochs = 1,098 h
    expect(RESNET18_WASM_IMAGES_PER_SECOND).toBe(12.3);
    expect(paper).toContain('~1 h 00 min on one wasm thread');
    expect(paper).toContain('~1,098 h (46 days) for the whole profile');
    expect(paper).toContain('webgpu on a GPU is not measured yet');
    expect(table3.running!('quick')).toContain(
      '`pnpm repro table3 --data-dir DIR --profile quick`: 6 runs × 2 epochs on 2,000 training images',
    );
    // smoke needs no data: a synthetic file
    expect(table3.running!('smoke')).toContain(
      '`pnpm repro table3 --profile smoke`: 6 runs × 1 epoch',
    );
  });
});
