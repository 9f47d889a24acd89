import { expectAllClose } from '@bregman/test-utils';
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectFlatMemory,
  loadWasm,
  on,
  randomData,
  relativeError,
} from '../backends.test-helper.js';
import { wasmTrainingKernelsRegistered } from './register.js';
import {
  type FilterRoute,
  type ForwardRoute,
  filterRoute,
  forceRoutes,
  forwardRoute,
  type InputRoute,
  inputRoute,
} from './routes.js';

type Pad = 'same' | 'valid' | number | [[0, 0], [number, number], [number, number], [0, 0]];

interface ConvCase {
  batch: number;
  height: number;
  width: number;
  cin: number;
  cout: number;
  kh: number;
  kw: number;
  strides: [number, number];
  pad: Pad;
}

/** Random `x` (NHWC) and `W` (`[kh, kw, cin, cout]`) of a case, from `seed`. */
function convInputs(c: ConvCase, seed: number): { x: tf.Tensor4D; w: tf.Tensor4D } {
  return {
    x: tf.tensor4d(randomData(c.batch * c.height * c.width * c.cin, seed), [
      c.batch,
      c.height,
      c.width,
      c.cin,
    ]),
    w: tf.tensor4d(randomData(c.kh * c.kw * c.cin * c.cout, seed + 1), [c.kh, c.kw, c.cin, c.cout]),
  };
}

/** `dx`, `dW` of `Σ r ⊙ conv2d(x, W)` (r random, so dy is not all ones) on `backend`. */
async function convGradients(backend: 'cpu' | 'wasm', c: ConvCase, seed: number) {
  return on(backend, () =>
    tf.tidy(() => {
      const { x, w } = convInputs(c, seed);
      const shape = tf.conv2d(x, w, c.strides, c.pad).shape;
      const r = tf.tensor(
        randomData(
          shape.reduce((a, b) => a * b, 1),
          seed + 2,
        ),
        shape,
      );
      const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad), r)),
      )([x, w]);
      return { dx: dx!.dataSync() as Float32Array, dw: dw!.dataSync() as Float32Array };
    }),
  );
}

async function expectSameAsCpu(c: ConvCase, seed = 7) {
  const cpu = await convGradients('cpu', c, seed);
  const wasm = await convGradients('wasm', c, seed);
  const scaleX = Math.max(...cpu.dx.map(Math.abs));
  const scaleW = Math.max(...cpu.dw.map(Math.abs));
  expectAllClose(wasm.dx, cpu.dx, { rtol: 1e-4, atol: 1e-5 * scaleX, label: 'dx' });
  expectAllClose(wasm.dw, cpu.dw, { rtol: 1e-4, atol: 1e-5 * scaleW, label: 'dW' });
  return Math.max(relativeError(wasm.dx, cpu.dx), relativeError(wasm.dw, cpu.dw));
}

const base = { batch: 2, height: 8, width: 8, cin: 3, cout: 4, kh: 3, kw: 3 };
const table: [string, ConvCase][] = [
  [
    'ConvNet-like 5×5 valid stride 1',
    { ...base, height: 12, width: 12, kh: 5, kw: 5, strides: [1, 1], pad: 'valid' },
  ],
  [
    '3×3 same stride 1, H ≠ W',
    { ...base, batch: 3, width: 7, cin: 4, cout: 5, strides: [1, 1], pad: 'same' },
  ],
  ['3×3 same stride 2, even size', { ...base, cout: 6, strides: [2, 2], pad: 'same' }],
  ['3×3 same stride 2, odd size', { ...base, height: 7, width: 7, strides: [2, 2], pad: 'same' }],
  ['3×3 valid stride 2, leftover rows', { ...base, height: 9, strides: [2, 2], pad: 'valid' }],
  [
    '1×1 same stride 2 projection, even',
    { ...base, kh: 1, kw: 1, cout: 8, strides: [2, 2], pad: 'same' },
  ],
  [
    '1×1 valid stride 2 projection, odd',
    { ...base, height: 7, width: 9, kh: 1, kw: 1, strides: [2, 2], pad: 'valid' },
  ],
  [
    'explicit padding, strides [2, 1]',
    {
      ...base,
      strides: [2, 1],
      pad: [
        [0, 0],
        [1, 2],
        [2, 0],
        [0, 0],
      ],
    },
  ],
  ['numeric pad 1, 4×4 kernel, stride 2', { ...base, kh: 4, kw: 4, strides: [2, 2], pad: 1 }],
  ['3×2 kernel, strides [1, 2], same', { ...base, kh: 3, kw: 2, strides: [1, 2], pad: 'same' }],
  [
    'padding larger than the kernel',
    {
      ...base,
      height: 5,
      width: 6,
      strides: [1, 1],
      pad: [
        [0, 0],
        [4, 3],
        [3, 4],
        [0, 0],
      ],
    },
  ],
  [
    'batch 1, one input channel',
    { ...base, batch: 1, cin: 1, cout: 6, kh: 5, kw: 5, strides: [1, 1], pad: 'valid' },
  ],
  ['stride 3, same', { ...base, height: 10, width: 11, strides: [3, 3], pad: 'same' }],
  [
    '16 input channels (whole SIMD blocks), 3×3 same, odd width',
    { ...base, height: 6, width: 7, cin: 16, cout: 6, strides: [1, 1], pad: 'same' },
  ],
  [
    '32 + 3 input channels, 5×5 valid',
    {
      ...base,
      height: 9,
      width: 10,
      cin: 35,
      cout: 20,
      kh: 5,
      kw: 5,
      strides: [1, 1],
      pad: 'valid',
    },
  ],
  [
    '32 output channels (whole SIMD blocks), one input channel, 5×5 same, H ≠ W',
    { ...base, height: 9, width: 11, cin: 1, cout: 32, kh: 5, kw: 5, strides: [1, 1], pad: 'same' },
  ],
  [
    '16 output channels, 3×3 same stride 2, odd size',
    { ...base, height: 7, width: 9, cout: 16, strides: [2, 2], pad: 'same' },
  ],
  [
    '16 input channels, stride 2, explicit padding',
    {
      ...base,
      cin: 16,
      cout: 21,
      strides: [2, 2],
      pad: [
        [0, 0],
        [2, 1],
        [0, 2],
        [0, 0],
      ],
    },
  ],
];

/** Shapes of the SIMD route's own paths: several chunks of positions, x read as it is. */
const simdGemmPaths: [string, ConvCase][] = [
  [
    '5×5 valid, 16 channels, batch 5: 720 positions in chunks of 652',
    {
      ...base,
      batch: 5,
      height: 16,
      width: 16,
      cin: 16,
      cout: 16,
      kh: 5,
      kw: 5,
      strides: [1, 1],
      pad: 'valid',
    },
  ],
  [
    '1×1, stride 1, no padding: the product reads x itself',
    { ...base, kh: 1, kw: 1, cout: 12, strides: [1, 1], pad: 'valid' },
  ],
  [
    '1×1, stride 1, padding only below and right: not x itself',
    {
      ...base,
      kh: 1,
      kw: 1,
      strides: [1, 1],
      pad: [
        [0, 0],
        [0, 1],
        [0, 2],
        [0, 0],
      ],
    },
  ],
  [
    '1×1 image, 2×2 same (padding below and right), 2 channels',
    {
      ...base,
      batch: 1,
      height: 1,
      width: 1,
      cin: 2,
      cout: 2,
      kh: 2,
      kw: 2,
      strides: [1, 1],
      pad: 'same',
    },
  ],
];

beforeAll(async () => {
  await loadWasm();
  expect(wasmTrainingKernelsRegistered()).toBe(true); // the kernels under test, not the stock ones
});

const routes: [string, { filter?: FilterRoute; input?: InputRoute }][] = [
  ['automatic routes', {}],
  [
    'tiled SIMD filter gradient, direct SIMD input gradient',
    { filter: 'simd-tiled', input: 'direct-simd' },
  ],
  ['SIMD im2col + GEMM, GEMM + col2im', { filter: 'simd-gemm', input: 'simd-gemm' }],
  ['dilated conv + flipped conv', { filter: 'dilated-conv', input: 'flipped-conv' }],
  ['im2col matMul + matMul col2im', { filter: 'im2col-matmul', input: 'matmul-col2im' }],
];

describe.each(routes)(
  'Conv2D gradients on wasm equal the cpu backend’s (1e-4), %s',
  (_routes, forced) => {
    beforeAll(() => forceRoutes(forced));
    afterAll(() => forceRoutes({}));

    it.each([...table, ...simdGemmPaths])('%s', async (_name, c) => {
      const error = await expectSameAsCpu(c);
      expect(error).toBeLessThan(1e-4);
    });
  },
);

/**
 * `conv2d(x, W)`, `fused.conv2d(x, W)` and `fused.conv2d(x, W) + bias, ReLU` (the SIMD route
 * fuses them; the others send them to XNNPACK) on `backend`.
 */
async function convForward(backend: 'cpu' | 'wasm', c: ConvCase, seed: number) {
  return on(backend, () =>
    tf.tidy(() => {
      const { x, w } = convInputs(c, seed);
      const plain = tf.conv2d(x, w, c.strides, c.pad).dataSync() as Float32Array;
      const fused = tf.fused
        .conv2d({ x, filter: w, strides: c.strides, pad: c.pad })
        .dataSync() as Float32Array;
      const bias = tf.tensor1d(randomData(c.cout, seed + 5));
      const biasRelu = tf.fused
        .conv2d({ x, filter: w, strides: c.strides, pad: c.pad, bias, activation: 'relu' })
        .dataSync() as Float32Array;
      return { plain, fused, biasRelu };
    }),
  );
}

/** Few positions, many channels: the automatic forward route is im2col + matMul. */
const fewPositions: [string, ConvCase][] = [
  [
    '4×4 image, 32 channels out (ResNet-18’s last stage in small)',
    { ...base, batch: 1, height: 4, width: 4, cin: 8, cout: 32, strides: [1, 1], pad: 'same' },
  ],
  [
    'stride 2 into 2×2, 1×1 projection',
    {
      ...base,
      batch: 2,
      height: 4,
      width: 4,
      kh: 1,
      kw: 1,
      cout: 16,
      strides: [2, 2],
      pad: 'same',
    },
  ],
];

describe.each<[string, { forward?: ForwardRoute }]>([
  ['automatic route', {}],
  ['SIMD im2col + GEMM', { forward: 'simd-gemm' }],
  ['XNNPACK convolution', { forward: 'xnnpack-conv' }],
  ['im2col + matMul', { forward: 'im2col-matmul' }],
])('Conv2D forward on wasm equals the cpu backend’s (1e-4), %s', (_route, forced) => {
  beforeAll(() => forceRoutes(forced));
  afterAll(() => forceRoutes({}));

  it.each([...table, ...fewPositions, ...simdGemmPaths])('%s', async (_name, c) => {
    const cpu = await convForward('cpu', c, 3);
    const wasm = await convForward('wasm', c, 3);
    const scale = Math.max(...cpu.plain.map(Math.abs));
    const tolerance = { rtol: 1e-4, atol: 1e-5 * scale };
    expectAllClose(wasm.plain, cpu.plain, { ...tolerance, label: 'conv2d' });
    expectAllClose(wasm.fused, cpu.plain, { ...tolerance, label: 'fused' });
    expectAllClose(wasm.biasRelu, cpu.biasRelu, { ...tolerance, label: 'bias + relu' });
  });
});

describe('Conv2D gradient routes', () => {
  const shape = (side: number, inChannels: number, outChannels: number, stride = 1) => ({
    batchSize: 16,
    inHeight: side,
    inWidth: side,
    inChannels,
    outHeight: side / stride,
    outWidth: side / stride,
    strideHeight: stride,
    strideWidth: stride,
    filterHeight: 3,
    filterWidth: 3,
    outChannels,
  });

  it('with SIMD: the SIMD GEMM but for the first layers’ filter gradient and the direct input gradient', () => {
    expect(filterRoute(shape(32, 3, 64), true)).toBe('simd-tiled'); // 3 input channels
    expect(filterRoute(shape(32, 3, 24), true)).toBe('simd-gemm'); // not a multiple of 16
    expect(filterRoute(shape(4, 3, 64), true)).toBe('simd-gemm'); // 16 positions per image
    expect(filterRoute(shape(32, 64, 64), true)).toBe('simd-gemm');
    expect(filterRoute(shape(4, 512, 512), true)).toBe('simd-gemm');
    expect(inputRoute(shape(32, 64, 64), true)).toBe('direct-simd');
    expect(inputRoute(shape(16, 128, 128), true)).toBe('direct-simd');
    expect(inputRoute(shape(8, 256, 256), true)).toBe('simd-gemm'); // the filter leaves the cache
    expect(inputRoute(shape(32, 64, 128, 2), true)).toBe('simd-gemm'); // strided
    expect(inputRoute(shape(32, 24, 64), true)).toBe('simd-gemm'); // not a multiple of 16
  });

  it('without SIMD: the XNNPACK routes', () => {
    expect(filterRoute(shape(32, 64, 64), false)).toBe('dilated-conv');
    expect(filterRoute(shape(32, 3, 64), false)).toBe('im2col-matmul');
    expect(inputRoute(shape(32, 64, 64), false)).toBe('flipped-conv');
    expect(inputRoute(shape(32, 64, 128, 2), false)).toBe('matmul-col2im');
  });
});

describe('Conv2D forward routes', () => {
  const shape = (batch: number, side: number, outChannels: number) => ({
    batchSize: batch,
    inHeight: side,
    inWidth: side,
    inChannels: outChannels,
    outHeight: side,
    outWidth: side,
    strideHeight: 1,
    strideWidth: 1,
    filterHeight: 3,
    filterWidth: 3,
    outChannels,
  });

  it('with SIMD: im2col + GEMM in SIMD, new filter or seen', () => {
    expect(forwardRoute(shape(16, 4, 512), true, true)).toBe('simd-gemm');
    expect(forwardRoute(shape(16, 32, 64), true, true)).toBe('simd-gemm');
    expect(forwardRoute(shape(16, 32, 64), false, true)).toBe('simd-gemm');
  });

  it('without SIMD: im2col + matMul only for fewer output positions than output channels', () => {
    expect(forwardRoute(shape(16, 4, 512), true)).toBe('im2col-matmul'); // ResNet-18's last stage
    expect(forwardRoute(shape(16, 8, 256), true)).toBe('xnnpack-conv');
    expect(forwardRoute(shape(128, 4, 512), true)).toBe('xnnpack-conv'); // Table 3's batch
    expect(forwardRoute(shape(16, 32, 64), true)).toBe('xnnpack-conv');
    // a filter seen before is packed already (inference, evaluation): XNNPACK's convolution
    expect(forwardRoute(shape(16, 4, 512), false)).toBe('xnnpack-conv');
  });

  it.each<[string, ForwardRoute]>([
    ['im2col + matMul', 'im2col-matmul'],
    ['SIMD im2col + GEMM', 'simd-gemm'],
  ])('frees every intermediate buffer on the %s route', async (_label, forward) => {
    forceRoutes({ forward });
    try {
      await expectFlatMemory((seed) => convForward('wasm', simdGemmPaths[0]![1], seed), 3);
    } finally {
      forceRoutes({});
    }
  });
});

describe('Conv2D gradients on wasm: random cases, other ops, memory', () => {
  it('on random shapes, strides, paddings and data (fast-check)', async () => {
    const side = fc.integer({ min: 0, max: 3 });
    const shapes = fc
      .record({
        batch: fc.integer({ min: 1, max: 3 }),
        height: fc.integer({ min: 1, max: 10 }),
        width: fc.integer({ min: 1, max: 10 }),
        cin: fc.integer({ min: 1, max: 5 }),
        cout: fc.integer({ min: 1, max: 5 }),
        kh: fc.integer({ min: 1, max: 5 }),
        kw: fc.integer({ min: 1, max: 5 }),
        sh: fc.integer({ min: 1, max: 3 }),
        sw: fc.integer({ min: 1, max: 3 }),
        pad: fc.oneof(
          fc.constant<Pad>('same'),
          fc.constant<Pad>('valid'),
          fc.integer({ min: 0, max: 3 }),
          fc.tuple(side, side, side, side).map(
            ([t, b, l, r]): Pad => [
              [0, 0],
              [t, b],
              [l, r],
              [0, 0],
            ],
          ),
        ),
        seed: fc.integer({ min: 1, max: 1_000_000 }),
        filterRoute: fc.constantFrom<FilterRoute>(
          'simd-gemm',
          'simd-tiled',
          'dilated-conv',
          'im2col-matmul',
        ),
        inputRoute: fc.constantFrom<InputRoute>(
          'simd-gemm',
          'direct-simd',
          'flipped-conv',
          'matmul-col2im',
        ),
      })
      // a numeric padding only with square filters and strides: tfjs-core 4.22 computes the
      // output width of a numeric padding from the filter height (see the test below)
      .filter((s) => typeof s.pad !== 'number' || (s.kh === s.kw && s.sh === s.sw))
      .filter((s) => {
        const [ph, pw] =
          s.pad === 'same'
            ? [s.kh, s.kw]
            : s.pad === 'valid'
              ? [0, 0]
              : typeof s.pad === 'number'
                ? [2 * s.pad, 2 * s.pad]
                : [s.pad[1][0] + s.pad[1][1], s.pad[2][0] + s.pad[2][1]];
        return s.height + ph >= s.kh && s.width + pw >= s.kw;
      });
    await fc.assert(
      fc.asyncProperty(shapes, async (s) => {
        forceRoutes({ filter: s.filterRoute, input: s.inputRoute });
        const error = await expectSameAsCpu({ ...s, strides: [s.sh, s.sw], pad: s.pad }, s.seed);
        expect(error).toBeLessThan(1e-4);
      }),
      { numRuns: 100, seed: 20240605 },
    );
    forceRoutes({});
  });

  it('conv2dTranspose (Conv2DBackpropInput as a forward op) equals the cpu backend’s', async () => {
    const run = (backend: 'cpu' | 'wasm') =>
      on(backend, () =>
        tf.tidy(() => {
          const x = tf.tensor4d(randomData(2 * 4 * 5 * 6, 3), [2, 4, 5, 6]);
          const w = tf.tensor4d(randomData(3 * 3 * 4 * 6, 4), [3, 3, 4, 6]);
          return tf.conv2dTranspose(x, w, [2, 8, 9, 4], 2, 'same').dataSync();
        }),
      );
    const cpu = await run('cpu');
    expectAllClose(await run('wasm'), cpu, { rtol: 1e-4, atol: 1e-6, label: 'conv2dTranspose' });
  });

  it('a numeric padding with a non-square filter: the padding it means, no heap corruption', async () => {
    // tfjs-core 4.22 sizes the output of a numeric padding with the filter height for both
    // axes; the stock wasm Conv2D then wrote past its buffer. Reference: cpu with the
    // equivalent explicit padding.
    const c: ConvCase = {
      ...base,
      height: 10,
      width: 7,
      cin: 5,
      cout: 1,
      kh: 4,
      kw: 3,
      strides: [1, 1],
      pad: 1,
    };
    const explicit: ConvCase = {
      ...c,
      pad: [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ],
    };
    const cpu = await convGradients('cpu', explicit, 11);
    const wasm = await convGradients('wasm', c, 11);
    expect(relativeError(wasm.dx, cpu.dx)).toBeLessThan(1e-4);
    expect(relativeError(wasm.dw, cpu.dw)).toBeLessThan(1e-4);
    const y = await on('wasm', () =>
      tf.tidy(
        () =>
          tf.conv2d(
            tf.ones([1, 10, 7, 5]) as tf.Tensor4D,
            tf.ones([4, 3, 5, 1]) as tf.Tensor4D,
            1,
            1,
          ).shape,
      ),
    );
    expect(y).toEqual([1, 9, 7, 1]);
    await on('wasm', () => tf.tidy(() => tf.ones([100_000]).dataSync())); // the heap is intact
  });

  it('frees every intermediate buffer (wasm data ids and tf tensors stay flat)', async () => {
    const c = table[2]![1];
    await expectFlatMemory((seed) => convGradients('wasm', c, seed), 5);
  });
});

describe('unsupported cases are errors, not wrong answers', () => {
  it('NCHW filter gradient: refused, naming the layout', async () => {
    await on('wasm', () => {
      const x = tf.zeros([1, 2, 5, 5]);
      const dy = tf.zeros([1, 3, 3, 3]);
      expect(() =>
        tf
          .engine()
          .runKernel(
            'Conv2DBackpropFilter',
            { x, dy },
            { strides: 1, pad: 'valid', dataFormat: 'NCHW', filterShape: [3, 3, 2, 3] },
          ),
      ).toThrow(/dataFormat must be 'NHWC', got 'NCHW'/);
      tf.dispose([x, dy]);
    });
  });

  it('dilated convolutions: tfjs refuses their gradient before any kernel runs', async () => {
    await on('wasm', () => {
      const x = tf.ones([1, 6, 6, 1]) as tf.Tensor4D;
      const w = tf.ones([3, 3, 1, 1]) as tf.Tensor4D;
      expect(() =>
        tf.grad((a: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, w, 1, 'valid', 'NHWC', 2)))(x),
      ).toThrow(/dilation rates greater than 1/);
      tf.dispose([x, w]);
    });
  });
});
