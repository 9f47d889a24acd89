import type { ConvGeometry } from './patches.js';

/**
 * How the filter gradient is computed: in WebAssembly SIMD as im2col + GEMM chunk by chunk
 * (`simd-gemm`) or directly with accumulators in registers over each image (`simd-tiled`), one
 * dilated convolution, or im2col + one matMul.
 */
export type FilterRoute = 'simd-gemm' | 'simd-tiled' | 'dilated-conv' | 'im2col-matmul';

/**
 * How the forward convolution is computed: im2col + GEMM in WebAssembly SIMD, chunk by chunk of
 * output positions (`simd-gemm`), XNNPACK's convolution, or im2col + one matMul.
 */
export type ForwardRoute = 'simd-gemm' | 'xnnpack-conv' | 'im2col-matmul';

/**
 * How the input gradient is computed: in WebAssembly SIMD as GEMM + col2im chunk by chunk
 * (`simd-gemm`) or directly (`direct-simd`), one convolution of the (upsampled) `dy` with the
 * flipped filter, or one matMul + col2im.
 */
export type InputRoute = 'simd-gemm' | 'direct-simd' | 'flipped-conv' | 'matmul-col2im';

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
 * With WebAssembly SIMD (`simd`): im2col + the SIMD GEMM, chunk by chunk of output positions
 * (`kernels.c`), which beat XNNPACK's convolution on every shape of the ConvNet and ResNet-18,
 * with a new filter (1.1–2.7×: ConvNet conv2 at batch 128 33 against 42 ms, ResNet-18's
 * 4 × 4 × 512 stage 13 against 34 ms at batch 8) and with one XNNPACK has packed before (1.1–1.3×)
 * (`bench/routes.mjs`, wasm, AMD EPYC). Without SIMD: XNNPACK's convolution packs its filter
 * the first time it sees a filter tensor (in training, every step's new weights) and keeps it
 * packed for later calls: ~13 ns per weight, which for few output positions costs as much as
 * the product itself — ResNet-18's 4 × 4 × 512 convolutions at batch 16 took 70 ms with a new
 * filter and 40 ms with the same one, while one matMul of the same size took 43 ms. So a
 * filter's first use (`firstUse`) goes through im2col + matMul (whose route packs the smaller
 * operand, see `mat-mul.ts`) when there are fewer output positions `N·OH·OW` than output
 * channels; with more positions, or a filter already seen (inference, evaluation), XNNPACK's
 * convolution is faster (no im2col; its packing amortized or already done).
 */
export function forwardRoute(
  s: RouteShape & { outChannels: number },
  firstUse: boolean,
  simd = false,
): ForwardRoute {
  if (forced.forward) return forced.forward;
  if (simd) return 'simd-gemm';
  return firstUse && s.outChannels > s.batchSize * s.outHeight * s.outWidth
    ? 'im2col-matmul'
    : 'xnnpack-conv';
}

/**
 * With WebAssembly SIMD (`simd`): im2col + the SIMD GEMM (`patchesᵀ · dy`, chunk by chunk of
 * output positions) is the fastest route on every shape of the ConvNet and ResNet-18 but the
 * first layers: 1.2–1.4× the SIMD kernel that sums two filter rows × 16 output channels in
 * registers over each image (`simd-tiled`) and 1.2–1.6× one that added four positions at a time
 * into each filter row (removed). With fewer than 4 input channels (the ConvNet's first
 * layer, ResNet-18's stem) the tiled kernel is as fast or slightly faster (1.3 against 1.5 ms),
 * where it applies (≥ 64 output positions per image, output channels a multiple of 16)
 * (`bench/routes.mjs`, wasm, AMD EPYC). Without SIMD: the dilated convolution reduces over the
 * batch inside each of its `OH·OW` taps and packs `dy` as its filter, which XNNPACK runs well
 * for a moderate channel count and enough output positions `N·OH·OW`; im2col + matMul (one
 * product whose inner dimension is all of `N·OH·OW`) wins for few channels, 1×1 filters, many
 * channels (> 128) or few positions.
 */
export function filterRoute(s: RouteShape & { outChannels: number }, simd: boolean): FilterRoute {
  if (forced.filter) return forced.filter;
  if (simd) {
    const tiled = s.outChannels % 16 === 0 && s.outHeight * s.outWidth >= 64;
    return s.inChannels < 4 && tiled ? 'simd-tiled' : 'simd-gemm';
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
 * With WebAssembly SIMD (`simd`): the direct kernel (`kernels.c`: each input position gathers
 * from the taps that read it, two neighbours sharing every filter row loaded) for stride 1 and
 * 16–128 input channels (a multiple of 16) into at most 128, where it is as fast as the SIMD
 * GEMM + col2im or up to 1.1× faster (ResNet-18's first two stages); everywhere else the SIMD
 * GEMM (`dy · Wᵀ` chunk by chunk of output positions, each chunk added back where its patches
 * came from), 1.2–1.8× the best XNNPACK route on strided, 256–512-channel and few-channel
 * layers (`bench/routes.mjs`, wasm, AMD EPYC). Without SIMD: the flipped-filter convolution
 * computes `H·W` outputs with every tap; with a stride it first inserts zeros (stride² more
 * work), for a `valid` forward pass it also multiplies the zero border, and with one input
 * channel it is a matrix–vector product. matMul + col2im does only the `N·OH·OW` products that
 * matter, plus one JavaScript pass that adds them up; the convolution wins for stride 1,
 * `same`-like padding and images of at least 8×8.
 */
export function inputRoute(s: RouteShape & { outChannels: number }, simd: boolean): InputRoute {
  if (forced.input) return forced.input;
  if (simd) {
    const direct =
      s.strideHeight === 1 &&
      s.strideWidth === 1 &&
      s.inChannels % 16 === 0 &&
      s.inChannels <= 128 &&
      s.outChannels <= 128;
    return direct ? 'direct-simd' : 'simd-gemm';
  }
  const strided = s.strideHeight > 1 || s.strideWidth > 1;
  const border = (s.inHeight * s.inWidth) / (s.outHeight * s.outWidth);
  return !strided && border <= 1.3 && s.inChannels >= 2 && s.inHeight * s.inWidth >= 64
    ? 'flipped-conv'
    : 'matmul-col2im';
}
