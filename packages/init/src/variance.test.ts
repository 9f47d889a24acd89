import { describe, expect, it } from 'vitest';
import { checkVarianceRule, computeFans, varianceOf } from './variance.js';

describe('fans and α (eq. 4.1)', () => {
  it('uses tfjs layouts: Dense [nIn, nOut], conv [kh, kw, cin, cout]', () => {
    expect(computeFans([784, 200])).toEqual({ fanIn: 784, fanOut: 200 });
    expect(computeFans([5, 5, 64, 32])).toEqual({ fanIn: 1600, fanOut: 800 });
    expect(computeFans([7])).toEqual({ fanIn: 7, fanOut: 7 });
    expect(varianceOf('he', [784, 200])).toBeCloseTo(2 / 784, 15);
    expect(varianceOf('glorot', [784, 200])).toBeCloseTo(2 / 984, 15);
    expect(varianceOf('lecun', [3, 3, 16, 8])).toBeCloseTo(1 / 144, 15);
    expect(varianceOf(0.3, [3, 3])).toBe(0.3);
    expect(() => checkVarianceRule('variance', 'kaiming')).toThrow(
      /one of 'he', 'glorot', 'lecun'/,
    );
    expect(() => checkVarianceRule('variance', 0)).toThrow(/> 0/);
  });
});
