import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { startWasmBackend } from './wasm-backend.js';

/** Starts wasm once per test file (with this package's kernels), then goes back to `cpu`. */
export async function loadWasm(): Promise<void> {
  await startWasmBackend();
  await tf.setBackend('cpu');
}

/** Runs `fn` with `backend` active and returns what it returns. */
export async function on<T>(backend: 'cpu' | 'wasm', fn: () => T | Promise<T>): Promise<T> {
  await tf.setBackend(backend);
  return fn();
}

/** Deterministic pseudo-random floats in [-1, 1). */
export function randomData(size: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = (s >>> 0) / 2 ** 31 - 1;
  }
  return out;
}

/** `max |a − e| / max |e|`: a normwise relative error. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs((actual[i] as number) - (expected[i] as number)));
    scale = Math.max(scale, Math.abs(expected[i] as number));
  }
  return scale === 0 ? diff : diff / scale;
}

/** The wasm backend's count of live buffers (intermediates of kernels included). */
export function wasmDataIds(): number {
  return tf.engine().findBackend('wasm').numDataIds();
}

/**
 * Runs `call(1)` once to warm up, then `call(2)` … `call(repeats + 1)`, and expects the wasm
 * backend's live buffers and tfjs's tensors to stay where the warm-up left them.
 */
export async function expectFlatMemory(
  call: (seed: number) => Promise<unknown>,
  repeats: number,
): Promise<void> {
  await call(1);
  const ids = wasmDataIds();
  const tensors = tf.memory().numTensors;
  for (let i = 0; i < repeats; i++) await call(i + 2);
  expect(wasmDataIds()).toBe(ids);
  expect(tf.memory().numTensors).toBe(tensors);
}
