import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadWasm, on, randomData } from '../../backends.test-helper.js';
import { filterRoute, forceRoutes } from '../routes.js';
import {
  heapOffset,
  loadSimdKernelsOn,
  loadWasmSimdKernels,
  type SimdKernels,
  setWasmSimdKernelsEnabled,
  simdKernels,
} from './instance.js';
import {
  SIMD_KERNELS_SHARED,
  SIMD_KERNELS_SOURCE_SHA256,
  SIMD_KERNELS_UNSHARED,
} from './kernels-wasm.js';
import { webAssembly } from './web-assembly.js';

beforeAll(loadWasm);
afterEach(() => setWasmSimdKernelsEnabled(true));

/** The kernels of one variant on a memory of their own (not a backend's heap). */
function standalone(base64: string, shared: boolean): { kernels: SimdKernels; heap: Float32Array } {
  const memory = new webAssembly.Memory(
    shared ? { initial: 2, maximum: 65536, shared: true } : { initial: 2 },
  );
  const module = new webAssembly.Module(Buffer.from(base64, 'base64'));
  const instance = new webAssembly.Instance(module, { env: { memory } });
  return {
    kernels: instance.exports as unknown as SimdKernels,
    heap: new Float32Array(memory.buffer),
  };
}

describe('WebAssembly SIMD kernels', () => {
  it('are built from the kernels.c beside them (rebuild: pnpm build:simd)', () => {
    const source = readFileSync(new URL('./kernels.c', import.meta.url));
    expect(createHash('sha256').update(source).digest('hex')).toBe(SIMD_KERNELS_SOURCE_SHA256);
  });

  it.each([
    ['unshared', SIMD_KERNELS_UNSHARED, false],
    ['shared', SIMD_KERNELS_SHARED, true],
  ] as const)(
    'the %s module writes its output and nothing else on the heap',
    (_n, base64, shared) => {
      const { kernels, heap } = standalone(base64, shared);
      heap.fill(7.5);
      // a 1 × 4 × 4 × 4 input, 2 × 2 pooling: x at float 100, dy at 300, dx at 500
      const x = randomData(64, 3);
      heap.set(x, 100);
      heap.set(randomData(16, 4), 300);
      const before = heap.slice();
      kernels.max_pool_grad_2x2_rows(0, 0, 2, 400, 1200, 2000, 2, 4);
      let changedOutside = 0;
      for (let i = 0; i < heap.length; i++) {
        if ((i < 500 || i >= 564) && heap[i] !== before[i]) changedOutside++;
      }
      expect(changedOutside).toBe(0);
      // every 2 × 2 window of every channel sends its dy to exactly one input
      let sent = 0;
      for (let i = 500; i < 564; i++) if (heap[i] !== 0) sent++;
      expect(sent).toBe(16);
    },
  );

  it.each([
    ['unshared', SIMD_KERNELS_UNSHARED, false],
    ['shared', SIMD_KERNELS_SHARED, true],
  ] as const)(
    'the %s module’s matrix product writes c and its scratch and nothing else',
    (_n, base64, shared) => {
      const { kernels, heap } = standalone(base64, shared);
      heap.fill(7.5);
      // c = aᵀ·bᵀ + bias, then ReLU6: a [k, m], b [n, k], m = 6 (a row tail), n = 13 (a
      // partial panel), k = 300 (two blocks of inner steps)
      const [m, k, n] = [6, 300, 13];
      const a = randomData(k * m, 5);
      const b = randomData(n * k, 6);
      const bias = randomData(n, 7);
      const [pa, pb, pBias, pc, pScratch] = [100, 2100, 6100, 6200, 6400];
      heap.set(a, pa);
      heap.set(b, pb);
      heap.set(bias, pBias);
      const scratch = kernels.mat_mul_scratch_size();
      const before = heap.slice();
      kernels.mat_mul(4 * pa, 4 * pb, 4 * pc, 4 * pScratch, 4 * pBias, m, k, n, 1, 1, 2);
      let changedOutside = 0;
      for (let i = 0; i < heap.length; i++) {
        const inC = i >= pc && i < pc + m * n;
        const inScratch = i >= pScratch && i < pScratch + scratch;
        if (!inC && !inScratch && heap[i] !== before[i]) changedOutside++;
      }
      expect(changedOutside).toBe(0);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let sum = 0;
          for (let p = 0; p < k; p++) sum += a[p * m + i]! * b[j * k + p]!;
          const expected = Math.min(6, Math.max(0, sum + bias[j]!));
          expect(heap[pc + i * n + j]).toBeCloseTo(expected, 3);
        }
      }
    },
  );

  it('run on the wasm backend in Node, and not when turned off', async () => {
    expect(await loadWasmSimdKernels()).toBe(true);
    const backend = tf.engine().registry.wasm!;
    expect(simdKernels(backend)).toBeDefined();
    setWasmSimdKernelsEnabled(false);
    expect(simdKernels(backend)).toBeUndefined();
  });

  it('off, the filter gradient takes its XNNPACK routes and gives the same values', async () => {
    const grad = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(randomData(2 * 9 * 9 * 3, 5), [2, 9, 9, 3]);
        const w = tf.tensor4d(randomData(3 * 3 * 3 * 6, 6), [3, 3, 3, 6]);
        return tf
          .grad((f: tf.Tensor) => tf.sum(tf.conv2d(x, f as tf.Tensor4D, 2, 'same')))(w)
          .dataSync();
      });
    const simd = await on('wasm', grad);
    setWasmSimdKernelsEnabled(false);
    const xnnpack = await on('wasm', grad);
    const shape = {
      batchSize: 2,
      inHeight: 9,
      inWidth: 9,
      inChannels: 3,
      outHeight: 5,
      outWidth: 5,
      outChannels: 6,
      filterHeight: 3,
      filterWidth: 3,
      strideHeight: 2,
      strideWidth: 2,
    };
    expect(filterRoute(shape, true)).toBe('simd-gemm');
    expect(filterRoute(shape, false)).not.toBe('simd-gemm');
    for (let i = 0; i < simd.length; i++) expect(simd[i]).toBeCloseTo(xnnpack[i] as number, 4);
    await tf.setBackend('cpu');
  });

  it('read tensors made on another backend before the switch to wasm (their data moves)', async () => {
    await tf.setBackend('cpu');
    const x = tf.tensor4d(randomData(2 * 4 * 4 * 16, 9), [2, 4, 4, 16]);
    const dy = tf.tensor4d(randomData(2 * 2 * 2 * 16, 10), [2, 2, 2, 16]);
    const w = tf.tensor4d(randomData(3 * 3 * 16 * 16, 11), [3, 3, 16, 16]);
    const dyConv = tf.tensor4d(randomData(2 * 4 * 4 * 16, 12), [2, 4, 4, 16]);
    const run = () => {
      const sum = tf.sum(x, [0, 1, 2]); // x's first use on wasm: its data moves here
      const pooled = tf.maxPool(x, 2, 2, 'valid');
      return [
        sum,
        tf
          .engine()
          .runKernel(
            'MaxPoolGrad',
            { dy, input: x, output: pooled },
            { filterSize: 2, strides: 2, pad: 'valid' },
          ) as tf.Tensor,
        tf
          .engine()
          .runKernel(
            'Conv2DBackpropFilter',
            { x, dy: dyConv },
            { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 16, 16] },
          ) as tf.Tensor,
        tf
          .engine()
          .runKernel(
            'Conv2DBackpropInput',
            { dy: dyConv, filter: w },
            { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: [2, 4, 4, 16] },
          ) as tf.Tensor,
      ].map((t) => Array.from(t.dataSync()));
    };
    const cpu = run();
    await tf.setBackend('wasm');
    const wasm = run();
    for (let k = 0; k < cpu.length; k++) {
      for (let i = 0; i < cpu[k]!.length; i++) expect(wasm[k]![i]).toBeCloseTo(cpu[k]![i]!, 3);
    }
    tf.dispose([x, dy, w, dyConv]);
    await tf.setBackend('cpu');
  });

  it('a route forced through them where they are off is a clear error', async () => {
    setWasmSimdKernelsEnabled(false);
    forceRoutes({ filter: 'simd-gemm' });
    try {
      await tf.setBackend('wasm');
      const x = tf.ones([1, 4, 4, 2]) as tf.Tensor4D;
      const w = tf.ones([3, 3, 2, 4]);
      expect(() =>
        tf.grad((f: tf.Tensor) => tf.sum(tf.conv2d(x, f as tf.Tensor4D, 1, 'same')))(w),
      ).toThrow(
        /Conv2DBackpropFilter on wasm: the route 'simd-gemm' was forced, but the WebAssembly SIMD kernels do not run here/,
      );
      tf.dispose([x, w]);
    } finally {
      forceRoutes({});
      await tf.setBackend('cpu');
    }
  });

  it('start asynchronously after a refused synchronous start (a page’s main thread)', async () => {
    // a heap of its own, and a synchronous compile that fails as a browser's main thread does
    const backend = {
      wasm: { asm: { memory: new webAssembly.Memory({ initial: 2 }) } },
    } as unknown as tf.KernelBackend;
    const refuse = vi.spyOn(webAssembly, 'Module').mockImplementation((() => {
      throw new RangeError('WebAssembly.Compile is disallowed on the main thread');
    }) as never);
    try {
      expect(simdKernels(backend)).toBeUndefined();
      expect(simdKernels(backend)).toBeUndefined(); // fixed per heap: no retry on every call
    } finally {
      refuse.mockRestore();
    }
    expect(await loadSimdKernelsOn(backend)).toBe(true);
    expect(simdKernels(backend)).toBeDefined();
  });

  it('refuse a non-boolean switch', () => {
    expect(() => setWasmSimdKernelsEnabled('no' as unknown as boolean)).toThrow(
      /setWasmSimdKernelsEnabled: on must be true or false, got no/,
    );
  });

  it('find a tensor on the heap, and say when it is gone', async () => {
    await tf.setBackend('wasm');
    const backend = tf.engine().registry.wasm!;
    const t = tf.tensor1d([1, 2, 3]);
    const offset = heapOffset(backend, { dataId: t.dataId, shape: t.shape, dtype: t.dtype });
    const view = new Float32Array(
      (backend as unknown as { wasm: { HEAPF32: Float32Array } }).wasm.HEAPF32.buffer,
      offset,
      3,
    );
    expect(Array.from(view)).toEqual([1, 2, 3]);
    const info = { dataId: t.dataId, shape: t.shape, dtype: t.dtype };
    t.dispose();
    expect(() => heapOffset(backend, info)).toThrow(/no data on any backend \(disposed\?\)/);
    await tf.setBackend('cpu');
  });
});
