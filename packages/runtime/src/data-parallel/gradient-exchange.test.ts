import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { exchangeBuffer } from './exchange-memory.js';
import { GradientExchange } from './gradient-exchange.js';
import { TensorLayout } from './shared-tensors.js';

/**
 * An exchange of `threads` regions over `shapes`, every region filled with random floats; its
 * sums in WebAssembly SIMD (`simd`), or in JavaScript (the same memory as a plain
 * `SharedArrayBuffer`).
 */
function filledExchange(
  shapes: number[][],
  threads: number,
  seed: number,
  simd = true,
): GradientExchange {
  const layout = new TensorLayout(shapes);
  const { memory, scalars } = GradientExchange.allocate(layout, threads);
  const shared = simd ? memory : exchangeBuffer(memory);
  const exchange = new GradientExchange(layout, 1, shared, scalars, threads, 0);
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 30 - 1;
  };
  for (const region of exchange.regions)
    for (let i = 0; i < region.length; i++) region[i] = random();
  return exchange;
}

describe('GradientExchange.reduce: each thread sums a slice, together every entry once', () => {
  it.each([
    [[5, 5, 4], 3],
    [[4, 3], 2],
    [[1], 4], // fewer shards than threads
    [[2, 2, 2, 1, 1], 5],
  ])('shards %j over %i slices equal one thread summing all, bit for bit', (sizes, parts) => {
    const exchange = filledExchange([[3, 7], [7], [2, 2, 3]], Math.max(sizes.length, parts), 11);
    const batch = sizes.reduce((a, b) => a + b, 0);
    // the float64 sum in shard order, rounded once
    const expected = new Float32Array(exchange.layout.total);
    for (let j = 0; j < expected.length; j++) {
      let sum = 0;
      sizes.forEach((n, k) => {
        sum += (n / batch) * exchange.regions[k]![j]!;
      });
      expected[j] = sum;
    }
    exchange.sums.fill(Number.NaN);
    for (let part = parts - 1; part >= 0; part--) exchange.reduce(sizes, part, parts);
    expect(exchange.sums).toEqual(expected);
  });

  it.each([1, 2, 3, 5])(
    '%i shards: the WebAssembly SIMD sum equals the JavaScript one bit for bit (slices ending mid-vector)',
    (shards) => {
      const shapes = [[13, 7], [5], [3, 3, 3]];
      const sizes = Array.from({ length: shards }, (_, k) => 3 + k);
      const simd = filledExchange(shapes, shards, 21);
      const js = filledExchange(shapes, shards, 21, false);
      expect(simd.simd).toBe(true);
      expect(js.simd).toBe(false);
      for (const exchange of [simd, js]) {
        exchange.sums.fill(Number.NaN);
        for (let part = 0; part < 3; part++) exchange.reduce(sizes, part, 3);
      }
      expect(Array.from(simd.sums)).toEqual(Array.from(js.sums));
      expect(simd.sums.every(Number.isFinite)).toBe(true);
    },
  );

  it('more slices than entries: the empty slices write nothing, the others cover all', () => {
    const exchange = filledExchange([[3]], 7, 5);
    exchange.sums.fill(Number.NaN);
    for (let part = 0; part < 7; part++) exchange.reduce([1, 1, 1, 1, 1, 1, 1], part, 7);
    expect(Array.from(exchange.sums).every(Number.isFinite)).toBe(true);
  });

  it('apply gives the optimizer the sums and sets the non-trainable weights to them', () => {
    const layout = new TensorLayout([[2], [3]]);
    const { memory, scalars } = GradientExchange.allocate(layout, 2);
    const exchange = new GradientExchange(layout, 1, memory, scalars, 2, 0);
    exchange.regions[0]!.set([1, 2, 10, 20, 30]);
    exchange.regions[1]!.set([3, 6, 30, 40, 50]);
    exchange.publish(0, [], [], 0.5, null);
    exchange.publish(1, [], [], 1.5, null);
    exchange.reduce([3, 1], 0, 2);
    exchange.reduce([3, 1], 1, 2);
    const w = tf.variable(tf.zeros([2]));
    const stat = tf.variable(tf.zeros([3]));
    exchange.apply([w, stat], tf.train.sgd(1));
    expect(exchange.logs([3, 1]).loss).toBeCloseTo(0.75 * 0.5 + 0.25 * 1.5, 12);
    expect(Array.from(w.dataSync())).toEqual([-1.5, -3]);
    expect(Array.from(stat.dataSync())).toEqual([15, 25, 35]);
    tf.dispose([w, stat]);
  });
});
