import type { ConvGeometry } from './patches.js';

/**
 * How the filter gradient is computed: directly in WebAssembly SIMD (accumulators in registers
 * over an image, `simd-tiled`, or four positions at a time into each filter row,
 * `direct-simd`), one dilated convolution, or im2col + one matMul.
 */
export type FilterRoute = 'simd-tiled' | 'direct-simd' | 'dilated-conv' | 'im2col-matmul';

/** How the forward convolution is computed: XNNPACK's convolution, or im2col + one matMul. */
export type ForwardRoute = 'xnnpack-conv' | 'im2col-matmul';

/**
 * How the input gradient is computed: directly in WebAssembly SIMD, one convolution of the
 * (upsampled) `dy` with the flipped filter, or one matMul + col2im.
 */
export type InputRoute = 'direct-simd' | 'flipped-conv' | 'matmul-col2im';

/** Shapes that decide a route: the convolution's geometry without its padding. */
export type RouteShape = Omit<ConvGeometry, 'padInfo'>;

const forced: { forward?: ForwardRoute; filter?: FilterRoute; input?: InputRoute } = {};

/** Forces a route (tests and benchmarks run every route); `{}` restores the automatic choice. */
export function forceRoutes(routes: {
  forward?: ForwardRoute;
  filter?: FilterRoute;
  input?: InputRoute;
}): void {
  delete forced.forward;
  delete forced.filter;
  delete forced.input;
  if (routes.forward !== undefined) forced.forward = routes.forward;
  if (routes.filter !== undefined) forced.filter = routes.filter;
  if (routes.input !== undefined) forced.input = routes.input;
}

/**
 * XNNPACK's convolution packs its filter the first time it sees a filter tensor (in training,
 * every step's new weights) and keeps it packed for later calls: ~13 ns per weight, which for
 * few output positions costs as much as the product itself — ResNet-18's 4 × 4 × 512
 * convolutions at batch 16 took 70 ms with a new filter and 40 ms with the same one, while
 * one matMul of the same size took 43 ms (wasm, AMD EPYC). So a filter's first use
 * (`firstUse`) goes through im2col + matMul (whose route packs the smaller operand, see
 * `mat-mul.ts`) when there are fewer output positions `N·OH·OW` than output channels; with
 * more positions, or a filter already seen (inference, evaluation), XNNPACK's convolution is
 * faster (no im2col; its packing amortized or already done).
 */
export function forwardRoute(
  s: RouteShape & { outChannels: number },
  firstUse: boolean,
): ForwardRoute {
  if (forced.forward) return forced.forward;
  return firstUse && s.outChannels > s.batchSize * s.outHeight * s.outWidth
    ? 'im2col-matmul'
    : 'xnnpack-conv';
}

/**
 * The SIMD kernels (`kernels.c`) beat both XNNPACK routes on every shape of the ConvNet and
 * ResNet-18 — 2.4–4× on few input channels (the first layers), 1.2–2.6× on 64–512 channels, as
 * fast on 1×1 filters (`bench/routes.mjs`, wasm, AMD EPYC) — so they run wherever SIMD does
 * (`simd`). Of the two, the tiled one (two filter rows × 16 output channels summed in registers
 * over a whole image) is 1.1–1.5× faster once an image has ≥ 64 output positions and the
 * output channels are a multiple of 16; with fewer positions (ResNet-18's 4 × 4 stage) the one
 * that adds four positions at a time into each filter row wins. Without SIMD: the dilated
 * convolution reduces over the batch inside each of its `OH·OW` taps and packs `dy` as its
 * filter, which XNNPACK runs well for a moderate channel count and enough output positions
 * `N·OH·OW`; im2col + matMul (one product whose inner dimension is all of `N·OH·OW`) wins for
 * few channels, 1×1 filters, many channels (> 128) or few positions.
 */
export function filterRoute(s: RouteShape & { outChannels: number }, simd: boolean): FilterRoute {
  if (forced.filter) return forced.filter;
  if (simd) {
    return s.outChannels % 16 === 0 && s.outHeight * s.outWidth >= 64
      ? 'simd-tiled'
      : 'direct-simd';
  }
  const positions = s.batchSize * s.outHeight * s.outWidth;
  return s.inChannels >= 8 &&
    s.inChannels <= 128 &&
    s.filterHeight * s.filterWidth > 1 &&
    positions >= 1024
    ? 'dilated-conv'
    : 'im2col-matmul';
}

/**
 * The direct SIMD kernel (`kernels.c`: each input position gathers from the taps that read it,
 * two neighbours sharing every filter row loaded) wins for stride 1 and 16–128 input channels
 * (a multiple of 16) into at most 128: 2.2× on the ConvNet's second layer, 1.2× on ResNet-18's
 * first two stages (`bench/routes.mjs`); with 256–512 channels the filter no longer stays in the
 * cache and XNNPACK is faster. Otherwise (or without SIMD, `simd` false): the flipped-filter
 * convolution computes `H·W` outputs with every tap; with a stride it first inserts zeros
 * (stride² more work), for a `valid` forward pass it also multiplies the zero border, and with
 * one input channel it is a matrix–vector product. matMul + col2im does
 * only the `N·OH·OW` products that matter, plus one JavaScript pass that adds them up; the
 * convolution wins for stride 1, `same`-like padding and images of at least 8×8.
 */
export function inputRoute(s: RouteShape & { outChannels: number }, simd: boolean): InputRoute {
  if (forced.input) return forced.input;
  if (
    simd &&
    s.strideHeight === 1 &&
    s.strideWidth === 1 &&
    s.inChannels % 16 === 0 &&
    s.inChannels <= 128 &&
    s.outChannels <= 128
  ) {
    return 'direct-simd';
  }
  const strided = s.strideHeight > 1 || s.strideWidth > 1;
  const border = (s.inHeight * s.inWidth) / (s.outHeight * s.outWidth);
  return !strided && border <= 1.3 && s.inChannels >= 2 && s.inHeight * s.inWidth >= 64
    ? 'flipped-conv'
    : 'matmul-col2im';
}
