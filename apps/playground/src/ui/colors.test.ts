import { describe, expect, it } from 'vitest';
import { colorScale, weightColor, ZERO_COLOR } from './colors.js';

describe('weightColor', () => {
  it('draws exactly zero grey and any other weight in colour', () => {
    expect(weightColor(0, 1)).toEqual(ZERO_COLOR);
    expect(weightColor(-0, 1)).toEqual(ZERO_COLOR);
    for (const tiny of [1e-9, -1e-9]) expect(weightColor(tiny, 1)).not.toEqual(ZERO_COLOR);
  });

  it('draws positive weights red and negative ones blue, stronger with the magnitude', () => {
    const [r, g, b] = weightColor(1, 1);
    expect(r).toBeGreaterThan(b);
    expect(r).toBeGreaterThan(g);
    const [nr, , nb] = weightColor(-1, 1);
    expect(nb).toBeGreaterThan(nr);
    const weak = weightColor(0.1, 1);
    expect(weak[1]).toBeGreaterThan(g); // lighter: closer to white
    expect(weightColor(5, 1)).toEqual(weightColor(1, 1)); // saturates at the scale
  });
});

describe('colorScale', () => {
  it('is the 99th percentile of the non-zero magnitudes, 1 for all zeros', () => {
    const values = Float32Array.from({ length: 200 }, (_, i) => (i % 2 ? -1 : 1) * (i + 1));
    values[0] = 0;
    expect(colorScale(values)).toBe(199);
    expect(colorScale(new Float32Array(10))).toBe(1);
  });
});
