// WebAssembly SIMD kernels of @bregman/runtime, run on tfjs-backend-wasm's own heap.
//
// `pnpm --filter @bregman/runtime build:simd` (scripts/build-simd.mjs: clang --target=wasm32
// -msimd128, wasm-ld --import-memory) builds them into kernels-wasm.ts beside this file. The
// module imports the backend's memory: every pointer below is a byte offset of a tensor there.
// Nothing here may use the C stack or static data (the module owns no memory of its own; the
// build checks that it has no data segment and never touches its stack pointer), so no local
// arrays and no calls to the C library.
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))

// MaxPoolGrad for 2×2 windows with stride 2 that tile the input (inH = 2·OH, inW = 2·OW, no
// padding): each window's dy goes to its first largest input (row-major: a, b on the top row,
// d, e below), as tfjs's cpu backend does; a window with no input above −∞ (all −∞ or NaN)
// sends nothing. Writes every element of dx.
static inline void pool_window(const float *x, const float *dy, float *dx, int i0, int c, int channels,
                               int row_stride, int g) {
  int a = i0 + c, b = a + channels, d = a + row_stride, e = d + channels;
  float va = x[a], vb = x[b], vd = x[d], ve = x[e], gv = dy[g];
  int ma = va > -__builtin_inff();
  float best = ma ? va : -__builtin_inff();
  int mb = vb > best;
  best = mb ? vb : best;
  int md = vd > best;
  best = md ? vd : best;
  int me = ve > best;
  dx[e] = me ? gv : 0.0f;
  dx[d] = (md && !me) ? gv : 0.0f;
  dx[b] = (mb && !md && !me) ? gv : 0.0f;
  dx[a] = (ma && !mb && !md && !me) ? gv : 0.0f;
}

// Computes the output rows [row_begin, row_end) (row n · OH + oh: dx's rows 2·that and the
// next), the rest untouched: one thread's share (scratch unused).
EXPORT(max_pool_grad_2x2_rows)
void max_pool_grad_2x2_rows(float *scratch, int row_begin, int row_end, const float *x,
                            const float *dy, float *dx, int out_width, int channels) {
  (void)scratch;
  const int row_stride = 2 * out_width * channels;
  const v128_t minus_inf = wasm_f32x4_splat(-__builtin_inff());
  int g = row_begin * out_width * channels;
  for (int r = row_begin; r < row_end; r++) {
    const int top = 2 * r * row_stride;
    for (int ow = 0; ow < out_width; ow++) {
      const int i0 = top + 2 * ow * channels;
      int c = 0;
      for (; c + 4 <= channels; c += 4) {
        const int a = i0 + c, b = a + channels, d = a + row_stride, e = d + channels;
        v128_t va = wasm_v128_load(x + a), vb = wasm_v128_load(x + b);
        v128_t vd = wasm_v128_load(x + d), ve = wasm_v128_load(x + e);
        v128_t gv = wasm_v128_load(dy + g + c);
        v128_t ma = wasm_f32x4_gt(va, minus_inf);
        v128_t best = wasm_v128_bitselect(va, minus_inf, ma);
        v128_t mb = wasm_f32x4_gt(vb, best);
        best = wasm_v128_bitselect(vb, best, mb);
        v128_t md = wasm_f32x4_gt(vd, best);
        best = wasm_v128_bitselect(vd, best, md);
        v128_t me = wasm_f32x4_gt(ve, best);
        // the last window element that beat the running maximum wins
        v128_t wd = wasm_v128_andnot(md, me);
        v128_t wb = wasm_v128_andnot(wasm_v128_andnot(mb, md), me);
        v128_t wa = wasm_v128_andnot(wasm_v128_andnot(wasm_v128_andnot(ma, mb), md), me);
        wasm_v128_store(dx + e, wasm_v128_and(gv, me));
        wasm_v128_store(dx + d, wasm_v128_and(gv, wd));
        wasm_v128_store(dx + b, wasm_v128_and(gv, wb));
        wasm_v128_store(dx + a, wasm_v128_and(gv, wa));
      }
      for (; c < channels; c++) pool_window(x, dy, dx, i0, c, channels, row_stride, g + c);
      g += channels;
    }
  }
}

// MaxPool for 2×2 windows with stride 2 that tile the input (as above): each output is the
// largest of its window's inputs taken row-major, an input replacing the running maximum only
// when it is greater (from −∞: NaN passed over, a window of NaN and −∞ gives −∞, the first of
// ±0 kept), as the cpu backend computes it. Rows of windows [row_begin, row_end): one thread's
// share (scratch unused).
EXPORT(max_pool_2x2_rows)
void max_pool_2x2_rows(float *scratch, int row_begin, int row_end, const float *x, float *y,
                       int out_width, int channels) {
  (void)scratch;
  const int row_stride = 2 * out_width * channels;
  const v128_t minus_inf = wasm_f32x4_splat(-__builtin_inff());
  int o = row_begin * out_width * channels;
  for (int r = row_begin; r < row_end; r++) {
    const int top = 2 * r * row_stride;
    for (int ow = 0; ow < out_width; ow++, o += channels) {
      const int i0 = top + 2 * ow * channels;
      int c = 0;
      for (; c + 4 <= channels; c += 4) {
        const int a = i0 + c, b = a + channels, d = a + row_stride, e = d + channels;
        v128_t best = minus_inf;
        const v128_t va = wasm_v128_load(x + a), vb = wasm_v128_load(x + b);
        const v128_t vd = wasm_v128_load(x + d), ve = wasm_v128_load(x + e);
        best = wasm_v128_bitselect(va, best, wasm_f32x4_gt(va, best));
        best = wasm_v128_bitselect(vb, best, wasm_f32x4_gt(vb, best));
        best = wasm_v128_bitselect(vd, best, wasm_f32x4_gt(vd, best));
        best = wasm_v128_bitselect(ve, best, wasm_f32x4_gt(ve, best));
        wasm_v128_store(y + o + c, best);
      }
      for (; c < channels; c++) {
        const int a = i0 + c, b = a + channels, d = a + row_stride, e = d + channels;
        float best = -__builtin_inff();
        best = x[a] > best ? x[a] : best;
        best = x[b] > best ? x[b] : best;
        best = x[d] > best ? x[d] : best;
        best = x[e] > best ? x[e] : best;
        y[o + c] = best;
      }
    }
  }
}

// Adds four float32 lanes into two float64 accumulators (lanes 0–1, 2–3) at acc.
static inline void add_f64(double *acc, v128_t v) {
  v128_t lo = wasm_f64x2_promote_low_f32x4(v);
  v128_t hi = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
  wasm_v128_store(acc, wasm_f64x2_add(wasm_v128_load(acc), lo));
  wasm_v128_store(acc + 2, wasm_f64x2_add(wasm_v128_load(acc + 2), hi));
}

// out[c] = scale · Σ_r x[r, c] for x seen as [rows, columns], in float64 (as tfjs's cpu backend
// sums): the bias gradients and BatchNorm's moments, a sum over the leading axes. Two rows are
// added in float64 before they reach the accumulators. Computes the columns [c_begin, c_end)
// (c_begin a multiple of 4), the rest untouched: one thread's share. scratch: 2 · (c_end −
// c_begin) floats, 8-byte aligned (the float64 accumulators).
EXPORT(sum_leading_columns)
void sum_leading_columns(float *scratch, int c_begin, int c_end, const float *x, float *out,
                         int rows, int columns, double scale) {
  // acc[c] for c in [c_begin, c_end): the accumulators from the scratch's start
  double *acc = (double *)scratch - c_begin;
  for (int c = c_begin; c < c_end; c++) acc[c] = 0.0;
  int r = 0;
  for (; r + 2 <= rows; r += 2) {
    const float *row0 = x + r * columns, *row1 = row0 + columns;
    int c = c_begin;
    for (; c + 4 <= c_end; c += 4) {
      v128_t a = wasm_v128_load(row0 + c), b = wasm_v128_load(row1 + c);
      v128_t lo = wasm_f64x2_add(wasm_f64x2_promote_low_f32x4(a), wasm_f64x2_promote_low_f32x4(b));
      v128_t a2 = wasm_i32x4_shuffle(a, a, 2, 3, 0, 1), b2 = wasm_i32x4_shuffle(b, b, 2, 3, 0, 1);
      v128_t hi = wasm_f64x2_add(wasm_f64x2_promote_low_f32x4(a2), wasm_f64x2_promote_low_f32x4(b2));
      wasm_v128_store(acc + c, wasm_f64x2_add(wasm_v128_load(acc + c), lo));
      wasm_v128_store(acc + c + 2, wasm_f64x2_add(wasm_v128_load(acc + c + 2), hi));
    }
    for (; c < c_end; c++) acc[c] += (double)row0[c] + (double)row1[c];
  }
  for (; r < rows; r++) {
    const float *row = x + r * columns;
    int c = c_begin;
    for (; c + 4 <= c_end; c += 4) add_f64(acc + c, wasm_v128_load(row + c));
    for (; c < c_end; c++) acc[c] += (double)row[c];
  }
  for (int c = c_begin; c < c_end; c++) out[c] = (float)(acc[c] * scale);
}

// The input gradient's inner loop for one position: A0..A3 (16 input channels) +=
// Σ_co D[co] · W[co, 0..16), rows of W `in_channels` apart.
#define ACC16(A0, A1, A2, A3, D, W)                                   \
  for (int co = 0; co < out_channels; co++) {                          \
    const float *w_ = (W) + co * in_channels;                          \
    v128_t s = wasm_v128_load32_splat((D) + co);                       \
    A0 = wasm_f32x4_add(A0, wasm_f32x4_mul(s, wasm_v128_load(w_)));    \
    A1 = wasm_f32x4_add(A1, wasm_f32x4_mul(s, wasm_v128_load(w_ + 4)));  \
    A2 = wasm_f32x4_add(A2, wasm_f32x4_mul(s, wasm_v128_load(w_ + 8)));  \
    A3 = wasm_f32x4_add(A3, wasm_f32x4_mul(s, wasm_v128_load(w_ + 12))); \
  }

// The output row (column) that input row i reads through filter row k: −1 when there is none
// (in the padding, between strided positions, or past the output).
static inline int out_index(int i, int pad, int k, int stride, int out_size) {
  const int t = i + pad - k;
  if (t < 0 || t % stride != 0) return -1;
  const int o = t / stride;
  return o < out_size ? o : -1;
}

// The input gradient of an NHWC convolution, gathered:
//   dx[n, ih, iw, ci] = Σ_{kh, kw, co} dy[n, oh, ow, co] · w[kh, kw, ci, co]
// over the taps with ih = oh·sh + kh − top, iw = ow·sw + kw − left. `wt` is the filter
// transposed to [KH, KW, CO, CI]. Every dx element is written once. With stride 1, two
// neighbouring input positions share each filter row loaded (16 input channels of each in
// registers); other channel counts than multiples of 16 finish one channel at a time. Computes
// the rows [row_begin, row_end) of dx (row n · IH + ih), the rest untouched: one thread's share
// (scratch unused).
EXPORT(conv2d_input_grad_rows)
void conv2d_input_grad_rows(float *scratch, int row_begin, int row_end, const float *dy,
                            const float *wt, float *dx, int batch, int in_height, int in_width,
                            int in_channels, int out_height, int out_width, int out_channels,
                            int filter_height, int filter_width, int stride_height,
                            int stride_width, int pad_top, int pad_left) {
  (void)scratch, (void)batch;
  const int tap_size = out_channels * in_channels;
  const int pair = stride_width == 1 ? 2 : 1;
  for (int row = row_begin; row < row_end; row++) {
    const int n = row / in_height, ih = row % in_height;
    for (int iw = 0; iw < in_width; iw += pair) {
      const int two = pair == 2 && iw + 1 < in_width;
      float *dx0 = dx + ((n * in_height + ih) * in_width + iw) * in_channels;
      float *dx1 = dx0 + in_channels;
      int ci = 0;
      for (; ci + 16 <= in_channels; ci += 16) {
        v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0, a2 = a0, a3 = a0;
        v128_t b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (int kh = 0; kh < filter_height; kh++) {
          const int oh = out_index(ih, pad_top, kh, stride_height, out_height);
          if (oh < 0) continue;
          const float *dy_row = dy + (n * out_height + oh) * out_width * out_channels;
          for (int kw = 0; kw < filter_width; kw++) {
            const float *w = wt + (kh * filter_width + kw) * tap_size + ci;
            const int ow0 = out_index(iw, pad_left, kw, stride_width, out_width);
            const int ow1 = two ? out_index(iw + 1, pad_left, kw, 1, out_width) : -1;
            if (ow0 >= 0 && ow1 >= 0) {
              const float *d0 = dy_row + ow0 * out_channels, *d1 = d0 + out_channels;
              for (int co = 0; co < out_channels; co++) {
                const float *w_ = w + co * in_channels;
                v128_t w0 = wasm_v128_load(w_), w1 = wasm_v128_load(w_ + 4);
                v128_t w2 = wasm_v128_load(w_ + 8), w3 = wasm_v128_load(w_ + 12);
                v128_t s = wasm_v128_load32_splat(d0 + co);
                a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(s, w0));
                a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(s, w1));
                a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(s, w2));
                a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(s, w3));
                s = wasm_v128_load32_splat(d1 + co);
                b0 = wasm_f32x4_add(b0, wasm_f32x4_mul(s, w0));
                b1 = wasm_f32x4_add(b1, wasm_f32x4_mul(s, w1));
                b2 = wasm_f32x4_add(b2, wasm_f32x4_mul(s, w2));
                b3 = wasm_f32x4_add(b3, wasm_f32x4_mul(s, w3));
              }
            } else if (ow0 >= 0) {
              ACC16(a0, a1, a2, a3, dy_row + ow0 * out_channels, w)
            } else if (ow1 >= 0) {
              ACC16(b0, b1, b2, b3, dy_row + ow1 * out_channels, w)
            }
          }
        }
        wasm_v128_store(dx0 + ci, a0);
        wasm_v128_store(dx0 + ci + 4, a1);
        wasm_v128_store(dx0 + ci + 8, a2);
        wasm_v128_store(dx0 + ci + 12, a3);
        if (two) {
          wasm_v128_store(dx1 + ci, b0);
          wasm_v128_store(dx1 + ci + 4, b1);
          wasm_v128_store(dx1 + ci + 8, b2);
          wasm_v128_store(dx1 + ci + 12, b3);
        }
      }
      for (; ci < in_channels; ci++) {
        for (int j = 0; j < 1 + two; j++) {
          float a = 0.0f;
          for (int kh = 0; kh < filter_height; kh++) {
            const int oh = out_index(ih, pad_top, kh, stride_height, out_height);
            if (oh < 0) continue;
            for (int kw = 0; kw < filter_width; kw++) {
              const int ow = out_index(iw + j, pad_left, kw, stride_width, out_width);
              if (ow < 0) continue;
              const float *d = dy + ((n * out_height + oh) * out_width + ow) * out_channels;
              const float *w = wt + (kh * filter_width + kw) * tap_size + ci;
              for (int co = 0; co < out_channels; co++) a += d[co] * w[co * in_channels];
            }
          }
          dx0[j * in_channels + ci] = a;
        }
      }
    }
  }
}

// The first output column ow whose input column ow·sw + kw − left is inside [0, in_width).
static inline int first_column(int kw, int stride, int pad, int out_width) {
  const int a = pad - kw;
  const int first = a <= 0 ? 0 : (a + stride - 1) / stride;
  return first < out_width ? first : out_width;
}

// One past the last such output column.
static inline int end_column(int kw, int stride, int pad, int in_width, int out_width) {
  const int b = in_width - 1 + pad - kw;
  const int end = b < 0 ? 0 : b / stride + 1;
  return end < out_width ? end : out_width;
}

// acc (16 output channels of one filter row) += x[ow] · dy[ow] over output columns [from, to).
#define FG_ROW(A0, A1, A2, A3, XP, FROM, TO)                                  \
  for (int ow = (FROM); ow < (TO); ow++) {                                    \
    const float *d_ = dy_row + ow * out_channels + co;                        \
    const v128_t s_ = wasm_v128_load32_splat(x + ((XP) + ow * x_step));       \
    A0 = wasm_f32x4_add(A0, wasm_f32x4_mul(s_, wasm_v128_load(d_)));          \
    A1 = wasm_f32x4_add(A1, wasm_f32x4_mul(s_, wasm_v128_load(d_ + 4)));      \
    A2 = wasm_f32x4_add(A2, wasm_f32x4_mul(s_, wasm_v128_load(d_ + 8)));      \
    A3 = wasm_f32x4_add(A3, wasm_f32x4_mul(s_, wasm_v128_load(d_ + 12)));     \
  }

// The filter gradient with the accumulators in registers: for one image and one filter row
// kh, two rows j, j + 1 of the [KW·CI] patch row (neighbours in x's memory) × 16 output
// channels are summed over all the image's output positions, then added to dw once (output
// channels past the last multiple of 16 one at a time). dw must hold zeros on entry. Computes
// the pairs [pair_begin, pair_end) of dw's rows (pair q: filter row kh = q / P, rows j = 2·(q %
// P) and j + 1 of its patch row, P = ⌈KW·CI / 2⌉), the rest untouched: one thread's share; each
// entry sums the images in the same order whatever the share (scratch unused).
EXPORT(conv2d_filter_grad_tiled_rows)
void conv2d_filter_grad_tiled_rows(float *scratch, int pair_begin, int pair_end, const float *x,
                                   const float *dy, float *dw, int batch, int in_height,
                                   int in_width, int in_channels, int out_height, int out_width,
                                   int out_channels, int filter_height, int filter_width,
                                   int stride_height, int stride_width, int pad_top,
                                   int pad_left) {
  (void)scratch, (void)filter_height;
  const int row_len = filter_width * in_channels;  // j = kw · CI + ci
  const int x_step = stride_width * in_channels;   // x between neighbouring output columns
  const int pairs = (row_len + 1) / 2;
  for (int n = 0; n < batch; n++) {
    for (int q = pair_begin; q < pair_end; q++) {
      const int kh = q / pairs, j = 2 * (q % pairs);
      const int pair = j + 1 < row_len;
      const int kw0 = j / in_channels, kw1 = (j + 1) / in_channels;
      const int lo0 = first_column(kw0, stride_width, pad_left, out_width);
      const int hi0 = end_column(kw0, stride_width, pad_left, in_width, out_width);
      const int lo1 = pair ? first_column(kw1, stride_width, pad_left, out_width) : 0;
      const int hi1 = pair ? end_column(kw1, stride_width, pad_left, in_width, out_width) : 0;
      const int lo = lo0 > lo1 ? lo0 : lo1, hi = hi0 < hi1 ? hi0 : hi1;
      float *dw0 = dw + (kh * row_len + j) * out_channels;
      float *dw1 = dw0 + out_channels;
      for (int co = 0; co + 16 <= out_channels; co += 16) {
        v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0, a2 = a0, a3 = a0;
        v128_t b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (int oh = 0; oh < out_height; oh++) {
          const int ih = oh * stride_height + kh - pad_top;
          if (ih < 0 || ih >= in_height) continue;
          const float *dy_row = dy + ((n * out_height + oh) * out_width) * out_channels;
          // x's index of row j at output column 0 (before the row with a left padding: only
          // valid columns are read)
          const int x0 = ((n * in_height + ih) * in_width - pad_left) * in_channels + j;
          if (!pair) {
            FG_ROW(a0, a1, a2, a3, x0, lo0, hi0)
            continue;
          }
          const int x1 = x0 + 1;
          if (lo < hi) {
            for (int ow = lo; ow < hi; ow++) {
              const float *d = dy_row + ow * out_channels + co;
              const v128_t d0 = wasm_v128_load(d), d1 = wasm_v128_load(d + 4);
              const v128_t d2 = wasm_v128_load(d + 8), d3 = wasm_v128_load(d + 12);
              const v128_t s = wasm_v128_load32_splat(x + (x0 + ow * x_step));
              const v128_t t = wasm_v128_load32_splat(x + (x1 + ow * x_step));
              a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(s, d0));
              a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(s, d1));
              a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(s, d2));
              a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(s, d3));
              b0 = wasm_f32x4_add(b0, wasm_f32x4_mul(t, d0));
              b1 = wasm_f32x4_add(b1, wasm_f32x4_mul(t, d1));
              b2 = wasm_f32x4_add(b2, wasm_f32x4_mul(t, d2));
              b3 = wasm_f32x4_add(b3, wasm_f32x4_mul(t, d3));
            }
            // the columns where only one of the two rows reads inside the input
            FG_ROW(a0, a1, a2, a3, x0, lo0, lo < hi0 ? lo : hi0)
            FG_ROW(a0, a1, a2, a3, x0, hi > lo0 ? hi : lo0, hi0)
            FG_ROW(b0, b1, b2, b3, x1, lo1, lo < hi1 ? lo : hi1)
            FG_ROW(b0, b1, b2, b3, x1, hi > lo1 ? hi : lo1, hi1)
          } else {
            FG_ROW(a0, a1, a2, a3, x0, lo0, hi0)
            FG_ROW(b0, b1, b2, b3, x1, lo1, hi1)
          }
        }
        wasm_v128_store(dw0 + co, wasm_f32x4_add(wasm_v128_load(dw0 + co), a0));
        wasm_v128_store(dw0 + co + 4, wasm_f32x4_add(wasm_v128_load(dw0 + co + 4), a1));
        wasm_v128_store(dw0 + co + 8, wasm_f32x4_add(wasm_v128_load(dw0 + co + 8), a2));
        wasm_v128_store(dw0 + co + 12, wasm_f32x4_add(wasm_v128_load(dw0 + co + 12), a3));
        if (pair) {
          wasm_v128_store(dw1 + co, wasm_f32x4_add(wasm_v128_load(dw1 + co), b0));
          wasm_v128_store(dw1 + co + 4, wasm_f32x4_add(wasm_v128_load(dw1 + co + 4), b1));
          wasm_v128_store(dw1 + co + 8, wasm_f32x4_add(wasm_v128_load(dw1 + co + 8), b2));
          wasm_v128_store(dw1 + co + 12, wasm_f32x4_add(wasm_v128_load(dw1 + co + 12), b3));
        }
      }
      for (int co = out_channels - out_channels % 16; co < out_channels; co++) {
        for (int r = 0; r <= pair; r++) {
          const int from = r ? lo1 : lo0, to = r ? hi1 : hi0;
          float acc = 0.0f;
          for (int oh = 0; oh < out_height; oh++) {
            const int ih = oh * stride_height + kh - pad_top;
            if (ih < 0 || ih >= in_height) continue;
            const float *dy_row = dy + ((n * out_height + oh) * out_width) * out_channels;
            const int xr = ((n * in_height + ih) * in_width - pad_left) * in_channels + j + r;
            for (int ow = from; ow < to; ow++) {
              acc += x[xr + ow * x_step] * dy_row[ow * out_channels + co];
            }
          }
          (r ? dw1 : dw0)[co] += acc;
        }
      }
    }
  }
}

// ---- Element-wise arithmetic along rows ---------------------------------------------------
//
// out = a ⊙ b for ⊙ one of +, −, ×, / (op 0–3), both seen as [rows, columns]: `mode` 0 both
// whole; 1 b one row (a vector along the last axis), 2 a one row; 3 b one value, 4 a one value;
// 5 b one value per row (a column: softmax's max and sum), 6 a one value per row. Each entry is
// one IEEE float32 operation, as tfjs's own kernels compute it. Computes the rows
// [row_begin, row_end), the rest untouched: one thread's share (scratch unused).

#define BINARY_LOOP(EXPR_V, EXPR_S)                                   \
  for (int r = row_begin; r < row_end; r++) {                          \
    const float *ra = a + (a_row ? r * columns : 0);                   \
    const float *rb = b + (b_row ? r * columns : 0);                   \
    const float as = a_col ? a[r] : a[0], bs = b_col ? b[r] : b[0];    \
    const v128_t av = wasm_f32x4_splat(as), bv = wasm_f32x4_splat(bs); \
    float *ro = out + r * columns;                                     \
    int c = 0;                                                         \
    for (; c + 4 <= columns; c += 4) {                                 \
      const v128_t x = a_splat ? av : wasm_v128_load(ra + c);          \
      const v128_t y = b_splat ? bv : wasm_v128_load(rb + c);          \
      wasm_v128_store(ro + c, EXPR_V);                                 \
    }                                                                  \
    for (; c < columns; c++) {                                         \
      const float x = a_splat ? as : ra[c], y = b_splat ? bs : rb[c];  \
      ro[c] = EXPR_S;                                                  \
    }                                                                  \
  }

EXPORT(binary_rows)
void binary_rows(float *scratch, int row_begin, int row_end, const float *a, const float *b,
                 float *out, int columns, int op, int mode) {
  (void)scratch;
  const int a_row = mode == 0 || mode == 1 || mode == 3 || mode == 5;
  const int b_row = mode == 0 || mode == 2 || mode == 4 || mode == 6;
  const int a_col = mode == 6, b_col = mode == 5;
  const int a_splat = mode == 4 || a_col, b_splat = mode == 3 || b_col;
  switch (op) {
  case 0:
    BINARY_LOOP(wasm_f32x4_add(x, y), x + y)
    break;
  case 1:
    BINARY_LOOP(wasm_f32x4_sub(x, y), x - y)
    break;
  case 2:
    BINARY_LOOP(wasm_f32x4_mul(x, y), x * y)
    break;
  default:
    BINARY_LOOP(wasm_f32x4_div(x, y), x / y)
    break;
  }
}

// exp(x) in double precision, to be rounded once to float32, as the cpu backend's Math.exp:
// x clamped to [−105, 90] (beyond, the float32 result is 0 or ∞ all the same; NaN stays NaN),
// x = k·ln 2 + r with ln 2 in two parts (Cody–Waite: k·EXP_LN2_HI is exact) and |r| ≤ ln 2 / 2,
// e^r by its Taylor series to r¹³ (relative error below 1e-16 there), times 2^k built from its
// exponent bits. The SIMD lanes and the scalar tail do the same double operations in the same
// order, so an entry's result does not depend on where a share of the range starts.
#define EXP_LN2_HI 6.93147180369123816490e-01
#define EXP_LN2_LO 1.90821492927058770002e-10
#define EXP_INV_LN2 1.44269504088896338700e+00
// 1/12!, 1/11!, …, 1/1!, 1/0!: e^r = 1 + r(1 + r(1/2 + … + r(1/12! + r/13!))), from the inside
static const double EXP_TAYLOR[13] = {1.0 / 479001600, 1.0 / 39916800, 1.0 / 3628800,
                                      1.0 / 362880,    1.0 / 40320,    1.0 / 5040,
                                      1.0 / 720,       1.0 / 120,      1.0 / 24,
                                      1.0 / 6,         1.0 / 2,        1.0,
                                      1.0};

static inline v128_t exp_f64x2(v128_t x) {
  x = wasm_f64x2_pmin(wasm_f64x2_pmax(x, wasm_f64x2_splat(-105.0)), wasm_f64x2_splat(90.0));
  const v128_t k = wasm_f64x2_nearest(wasm_f64x2_mul(x, wasm_f64x2_splat(EXP_INV_LN2)));
  const v128_t r = wasm_f64x2_sub(wasm_f64x2_sub(x, wasm_f64x2_mul(k, wasm_f64x2_splat(EXP_LN2_HI))),
                                  wasm_f64x2_mul(k, wasm_f64x2_splat(EXP_LN2_LO)));
  v128_t p = wasm_f64x2_splat(1.0 / 6227020800.0);
  for (int i = 0; i < 13; i++) p = wasm_f64x2_add(wasm_f64x2_splat(EXP_TAYLOR[i]), wasm_f64x2_mul(r, p));
  const v128_t ki = wasm_i64x2_extend_low_i32x4(wasm_i32x4_trunc_sat_f64x2_zero(k));
  const v128_t scale = wasm_i64x2_shl(wasm_i64x2_add(ki, wasm_i64x2_splat(1023)), 52);
  return wasm_f64x2_mul(p, scale);
}

static inline float exp_scalar(float xf) {
  double x = xf;
  x = x < -105.0 ? -105.0 : x; // NaN stays NaN
  x = 90.0 < x ? 90.0 : x;
  const double k = __builtin_rint(x * EXP_INV_LN2);
  const double r = (x - k * EXP_LN2_HI) - k * EXP_LN2_LO;
  double p = 1.0 / 6227020800.0;
  for (int i = 0; i < 13; i++) p = EXP_TAYLOR[i] + r * p;
  const long long ki = k != k ? 0 : (long long)k;
  union {
    long long bits;
    double value;
  } scale = {.bits = (ki + 1023) << 52};
  return (float)(p * scale.value);
}

// log(x) of a float32 x in double precision, to be rounded once to float32, as the cpu backend's
// Math.log: x = 2^k·m with m in [√2/2, √2) (exact: x is a normal double), f = m − 1 (exact),
// s = f/(2 + f), log(1 + f) = f − f²/2 + s·(f²/2 + R(s²)) with R(z) = Σ 2zⁱ/(2i + 1) to z¹¹
// (fdlibm's arrangement, with the Taylor coefficients: |s| ≤ 0.172, the first term left out is
// below 1e-19 of the result), plus k·ln 2 in two parts (k·EXP_LN2_HI is exact). x < 0 and NaN
// give NaN, ±0 gives −∞, +∞ gives +∞. The SIMD lanes and the scalar path do the same double
// operations in the same order.
#define LOG_SQRT2 1.41421356237309514547e+00
static inline v128_t log_f64x2(v128_t x) {
  const v128_t bits = x;
  // the exponent of each lane as two int32 (high words), then as doubles
  const v128_t high = wasm_i32x4_shuffle(bits, bits, 1, 3, 1, 3);
  const v128_t e = wasm_i32x4_sub(wasm_u32x4_shr(high, 20), wasm_i32x4_splat(1023));
  v128_t k = wasm_f64x2_convert_low_i32x4(e);
  v128_t m = wasm_v128_or(wasm_v128_and(bits, wasm_i64x2_splat(0x000fffffffffffffLL)),
                          wasm_i64x2_splat(0x3ff0000000000000LL));
  const v128_t big = wasm_f64x2_gt(m, wasm_f64x2_splat(LOG_SQRT2));
  m = wasm_v128_bitselect(wasm_f64x2_mul(m, wasm_f64x2_splat(0.5)), m, big);
  k = wasm_f64x2_add(k, wasm_v128_and(big, wasm_f64x2_splat(1.0)));
  const v128_t f = wasm_f64x2_sub(m, wasm_f64x2_splat(1.0));
  const v128_t hfsq = wasm_f64x2_mul(wasm_f64x2_mul(wasm_f64x2_splat(0.5), f), f);
  const v128_t s = wasm_f64x2_div(f, wasm_f64x2_add(wasm_f64x2_splat(2.0), f));
  const v128_t z = wasm_f64x2_mul(s, s);
  v128_t p = wasm_f64x2_splat(2.0 / 23);
  p = wasm_f64x2_add(wasm_f64x2_splat(2.0 / 21), wasm_f64x2_mul(z, p));
  p = wasm_f64x2_add(wasm_f64x2_splat(2.0 / 19), wasm_f64x2_mul(z, p));
  p = wasm_f64x2_add(wasm_f64x2_splat(2.0 / 17), wasm_f64x2_mul(z, p));
  p = wasm_f64x2_add(wasm_f64x2_splat(2.0 / 15), wasm_f64x2_mul(z, p));
  p = wasm_f64x2_add(wasm_f64x2_splat(2.0 / 13), wasm_f64x2_mul(z, p));
  p = wasm_f64x2_add(wasm_f64x2_splat(2.0 / 11), wasm_f64x2_mul(z, p));
  p = wasm_f64x2_add(wasm_f64x2_splat(2.0 / 9), wasm_f64x2_mul(z, p));
  p = wasm_f64x2_add(wasm_f64x2_splat(2.0 / 7), wasm_f64x2_mul(z, p));
  p = wasm_f64x2_add(wasm_f64x2_splat(2.0 / 5), wasm_f64x2_mul(z, p));
  p = wasm_f64x2_add(wasm_f64x2_splat(2.0 / 3), wasm_f64x2_mul(z, p));
  const v128_t r = wasm_f64x2_mul(z, p);
  // k·ln2_hi − ((hfsq − (s·(hfsq + R) + k·ln2_lo)) − f)
  const v128_t t = wasm_f64x2_add(wasm_f64x2_mul(s, wasm_f64x2_add(hfsq, r)),
                                  wasm_f64x2_mul(k, wasm_f64x2_splat(EXP_LN2_LO)));
  v128_t y = wasm_f64x2_sub(wasm_f64x2_mul(k, wasm_f64x2_splat(EXP_LN2_HI)),
                            wasm_f64x2_sub(wasm_f64x2_sub(hfsq, t), f));
  // x = +∞ stays; x = ±0 gives −∞; x < 0 and NaN give NaN
  const v128_t inf = wasm_f64x2_splat(__builtin_inf());
  y = wasm_v128_bitselect(inf, y, wasm_f64x2_eq(x, inf));
  y = wasm_v128_bitselect(wasm_f64x2_neg(inf), y, wasm_f64x2_eq(x, wasm_f64x2_splat(0.0)));
  return wasm_v128_bitselect(wasm_f64x2_splat(__builtin_nan("")), y,
                             wasm_v128_not(wasm_f64x2_ge(x, wasm_f64x2_splat(0.0))));
}

static inline float log_scalar(float xf) {
  const double x = xf;
  if (!(x >= 0.0)) return __builtin_nanf(""); // x < 0, NaN
  if (x == 0.0) return -__builtin_inff();
  if (x == __builtin_inf()) return __builtin_inff();
  union {
    long long bits;
    double value;
  } v = {.value = x};
  double k = (double)((int)(v.bits >> 52) - 1023);
  v.bits = (v.bits & 0x000fffffffffffffLL) | 0x3ff0000000000000LL;
  double m = v.value;
  if (m > LOG_SQRT2) {
    m = m * 0.5;
    k = k + 1.0;
  }
  const double f = m - 1.0;
  const double hfsq = 0.5 * f * f;
  const double s = f / (2.0 + f);
  const double z = s * s;
  double p = 2.0 / 23;
  p = 2.0 / 21 + z * p;
  p = 2.0 / 19 + z * p;
  p = 2.0 / 17 + z * p;
  p = 2.0 / 15 + z * p;
  p = 2.0 / 13 + z * p;
  p = 2.0 / 11 + z * p;
  p = 2.0 / 9 + z * p;
  p = 2.0 / 7 + z * p;
  p = 2.0 / 5 + z * p;
  p = 2.0 / 3 + z * p;
  const double r = z * p;
  const double t = s * (hfsq + r) + k * EXP_LN2_LO;
  return (float)(k * EXP_LN2_HI - ((hfsq - t) - f));
}

// f of the floats [begin, end) of x into y (y may be x), in double precision: vector_fn on two
// lanes at a time, scalar_fn on the tail (the same double operations), each rounded once.
#define DOUBLE_PRECISION_ENTRIES(vector_fn, scalar_fn)                                            \
  int i = begin;                                                                                 \
  for (; i + 4 <= end; i += 4) {                                                                 \
    const v128_t v = wasm_v128_load(x + i);                                                      \
    const v128_t lo = wasm_f32x4_demote_f64x2_zero(vector_fn(wasm_f64x2_promote_low_f32x4(v))); \
    const v128_t hi = wasm_f32x4_demote_f64x2_zero(                                              \
        vector_fn(wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1))));          \
    wasm_v128_store(y + i, wasm_i32x4_shuffle(lo, hi, 0, 1, 4, 5));                              \
  }                                                                                              \
  for (; i < end; i++) y[i] = scalar_fn(x[i]);

// e^x (see exp_f64x2) of the floats [begin, end) of x into y (y may be x).
static inline void exp_entries(const float *x, float *y, int begin, int end) {
  DOUBLE_PRECISION_ENTRIES(exp_f64x2, exp_scalar)
}

// log x (see log_f64x2) of the floats [begin, end) of x into y (y may be x).
static inline void log_entries(const float *x, float *y, int begin, int end) {
  DOUBLE_PRECISION_ENTRIES(log_f64x2, log_scalar)
}

// y = ReLU(x) (op 0: max(0, x), NaN kept, −0 to +0, as Math.max(0, x)), Step(x) (op 1:
// x > 0 ? 1 : alpha, NaN kept), e^x (op 2, see exp_f64x2), log x (op 3, see log_f64x2), √x (op
// 4) or x² (op 5), the last two correctly rounded float32 operations, of the entries
// [begin, end) (begin a multiple of 4): one thread's share (scratch unused).
EXPORT(unary_range)
void unary_range(float *scratch, int begin, int end, const float *x, float *y, int op,
                 float alpha) {
  (void)scratch;
  const v128_t zero = wasm_f32x4_splat(0.0f), one = wasm_f32x4_splat(1.0f);
  const v128_t low = wasm_f32x4_splat(alpha);
  int i = begin;
  if (op == 0) {
    for (; i + 4 <= end; i += 4) wasm_v128_store(y + i, wasm_f32x4_max(wasm_v128_load(x + i), zero));
    for (; i < end; i++) {
      const float v = x[i];
      y[i] = v > 0.0f ? v : (v != v ? v : 0.0f);
    }
    return;
  }
  if (op == 2) {
    exp_entries(x, y, begin, end);
    return;
  }
  if (op == 3) {
    log_entries(x, y, begin, end);
    return;
  }
  if (op == 4) {
    for (; i + 4 <= end; i += 4) wasm_v128_store(y + i, wasm_f32x4_sqrt(wasm_v128_load(x + i)));
    for (; i < end; i++) y[i] = __builtin_sqrtf(x[i]);
    return;
  }
  if (op == 5) {
    for (; i + 4 <= end; i += 4) {
      const v128_t v = wasm_v128_load(x + i);
      wasm_v128_store(y + i, wasm_f32x4_mul(v, v));
    }
    for (; i < end; i++) y[i] = x[i] * x[i];
    return;
  }
  for (; i + 4 <= end; i += 4) {
    const v128_t v = wasm_v128_load(x + i);
    const v128_t s = wasm_v128_bitselect(one, low, wasm_f32x4_gt(v, zero));
    wasm_v128_store(y + i, wasm_v128_bitselect(v, s, wasm_f32x4_ne(v, v)));
  }
  for (; i < end; i++) {
    const float v = x[i];
    y[i] = v != v ? v : (v > 0.0f ? 1.0f : alpha);
  }
}

// Standardization: out = (x − mean) / std, float32 after each operation, of the entries
// [begin, end) of x seen as rows of `channels` entries; mean and std hold one value each
// (per_channel 0: begin a multiple of 4) or one per channel (per_channel 1: begin a multiple of
// `channels`). One thread's share (scratch unused).
EXPORT(standardize_range)
void standardize_range(float *scratch, int begin, int end, const float *x, const float *mean,
                       const float *std, float *out, int channels, int per_channel) {
  (void)scratch;
  if (!per_channel) {
    const float m = mean[0], d = std[0];
    const v128_t mv = wasm_f32x4_splat(m), dv = wasm_f32x4_splat(d);
    int i = begin;
    for (; i + 4 <= end; i += 4) {
      wasm_v128_store(out + i, wasm_f32x4_div(wasm_f32x4_sub(wasm_v128_load(x + i), mv), dv));
    }
    for (; i < end; i++) out[i] = (x[i] - m) / d;
    return;
  }
  for (int r = begin; r < end; r += channels) {
    int c = 0;
    for (; c + 4 <= channels; c += 4) {
      wasm_v128_store(out + r + c, wasm_f32x4_div(wasm_f32x4_sub(wasm_v128_load(x + r + c),
                                                                 wasm_v128_load(mean + c)),
                                                  wasm_v128_load(std + c)));
    }
    for (; c < channels; c++) out[r + c] = (x[r + c] - mean[c]) / std[c];
  }
}

// Softmax cross-entropy of `rows` rows of `classes` logits x against labels t, averaged over the
// rows (tf.losses.softmaxCrossEntropy without weights or smoothing), in the float32 operations,
// order and roundings of its composition on the cpu backend: per row m = max x (NaN wins),
// a = x − m, c = Σ e^a (summed in double, then rounded), lse = m + log c, logp = x − lse, the
// row's loss Σ −(logp·t) (summed in double); loss = (Σ of the rows' losses, in double) / rows.
// Writes logp (the gradient's input) and loss[0]; e^a passes through logp first.
static inline float row_max(const float *x, int classes) {
  float m = x[0];
  for (int j = 0; j < classes; j++) {
    const float v = x[j];
    if (v != v || v > m) m = v;
  }
  return m;
}

EXPORT(softmax_cross_entropy)
void softmax_cross_entropy(const float *x, const float *t, float *logp, float *loss, int rows,
                           int classes) {
  for (int r = 0; r < rows; r++) {
    const float *rx = x + r * classes;
    float *rl = logp + r * classes;
    const float m = row_max(rx, classes);
    for (int j = 0; j < classes; j++) rl[j] = rx[j] - m;
  }
  exp_entries(logp, logp, 0, rows * classes);
  double total = 0.0;
  for (int r = 0; r < rows; r++) {
    const float *rx = x + r * classes, *rt = t + r * classes;
    float *rl = logp + r * classes;
    double c = 0.0;
    for (int j = 0; j < classes; j++) c += rl[j];
    const float lse = row_max(rx, classes) + log_scalar((float)c);
    double row = 0.0;
    for (int j = 0; j < classes; j++) {
      const float v = rx[j] - lse;
      rl[j] = v;
      row += -(v * rt[j]);
    }
    total += (float)row;
  }
  loss[0] = (float)total / (float)rows;
}

// The gradient of softmax_cross_entropy's loss with respect to the logits, as the cpu backend's
// composition computes it: g = dy / rows, dx = g·(e^logp − t), float32 after every operation.
EXPORT(softmax_cross_entropy_grad)
void softmax_cross_entropy_grad(const float *dy, const float *logp, const float *t, float *dx,
                                int n, int rows) {
  const float g = dy[0] / (float)rows;
  exp_entries(logp, dx, 0, n);
  const v128_t gv = wasm_f32x4_splat(g);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    wasm_v128_store(dx + i, wasm_f32x4_mul(gv, wasm_f32x4_sub(wasm_v128_load(dx + i),
                                                              wasm_v128_load(t + i))));
  }
  for (; i < n; i++) dx[i] = g * (dx[i] - t[i]);
}

// Batch normalization along the last axis (FusedBatchNorm): out = (x − mean)·k + offset with
// k = scale / √(variance + ε) per channel (scale 1, offset 0 where their offset is 0), x seen as
// [rows, channels]. Computes the rows [row_begin, row_end), the rest untouched: one thread's
// share. scratch: `channels` floats (k).
EXPORT(batch_norm_rows)
void batch_norm_rows(float *scratch, int row_begin, int row_end, const float *x,
                     const float *mean, const float *variance, const float *offset,
                     const float *scale, float *out, int channels, float epsilon) {
  float *k = scratch;
  for (int c = 0; c < channels; c++) {
    k[c] = (scale ? scale[c] : 1.0f) / __builtin_sqrtf(variance[c] + epsilon);
  }
  for (int r = row_begin; r < row_end; r++) {
    const float *rx = x + r * channels;
    float *ro = out + r * channels;
    int c = 0;
    for (; c + 4 <= channels; c += 4) {
      v128_t v = wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(rx + c), wasm_v128_load(mean + c)),
                                wasm_v128_load(k + c));
      if (offset) v = wasm_f32x4_add(v, wasm_v128_load(offset + c));
      wasm_v128_store(ro + c, v);
    }
    for (; c < channels; c++) {
      float v = (rx[c] - mean[c]) * k[c];
      ro[c] = offset ? v + offset[c] : v;
    }
  }
}

// ---- Matrix product: c = op(a) · op(b) (+ bias) (then ReLU / ReLU6) ------------------------
//
// Blocked like a BLAS GEMM without its up-front packing: for each block of KC inner steps and
// each 8 columns of c, that block of op(b) is copied into `scratch` as a [KC, 8] panel (columns
// past n as zeros; a transposed b gathered), then every 4 rows of c are computed against it
// with 4 × 8 accumulators in registers. The panel stays in the L1 cache for all the rows, which
// also avoids the cache-set conflicts of reading b's rows directly when n · 4 bytes is a
// multiple of 4 KiB. scratch: MAT_MUL_SCRATCH floats.
#define KC 256
#define MC 256
#define MAT_MUL_SCRATCH (KC * 8 + 4 * 8)

#define MADD(ACC, X, Y) ACC = wasm_f32x4_add(ACC, wasm_f32x4_mul(X, Y))

// Rows a0..a3 of op(a) (a_step apart from one inner step to the next) × the [kc, 8] panel,
// into 4 rows of c (ldc apart): added to them when `accumulate`, else written.
static inline __attribute__((always_inline)) void mm_tile_4x8(
    const float *a0, const float *a1, const float *a2, const float *a3, int a_step,
    const float *panel, float *c, int ldc, int kc, int accumulate) {
  v128_t c00, c01, c10, c11, c20, c21, c30, c31;
  if (accumulate) {
    c00 = wasm_v128_load(c), c01 = wasm_v128_load(c + 4);
    c10 = wasm_v128_load(c + ldc), c11 = wasm_v128_load(c + ldc + 4);
    c20 = wasm_v128_load(c + 2 * ldc), c21 = wasm_v128_load(c + 2 * ldc + 4);
    c30 = wasm_v128_load(c + 3 * ldc), c31 = wasm_v128_load(c + 3 * ldc + 4);
  } else {
    c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = wasm_f32x4_splat(0.0f);
  }
  for (int p = 0; p < kc; p++) {
    const v128_t b0 = wasm_v128_load(panel), b1 = wasm_v128_load(panel + 4);
    panel += 8;
    v128_t x = wasm_v128_load32_splat(a0);
    MADD(c00, x, b0);
    MADD(c01, x, b1);
    x = wasm_v128_load32_splat(a1);
    MADD(c10, x, b0);
    MADD(c11, x, b1);
    x = wasm_v128_load32_splat(a2);
    MADD(c20, x, b0);
    MADD(c21, x, b1);
    x = wasm_v128_load32_splat(a3);
    MADD(c30, x, b0);
    MADD(c31, x, b1);
    a0 += a_step, a1 += a_step, a2 += a_step, a3 += a_step;
  }
  wasm_v128_store(c, c00), wasm_v128_store(c + 4, c01);
  wasm_v128_store(c + ldc, c10), wasm_v128_store(c + ldc + 4, c11);
  wasm_v128_store(c + 2 * ldc, c20), wasm_v128_store(c + 2 * ldc + 4, c21);
  wasm_v128_store(c + 3 * ldc, c30), wasm_v128_store(c + 3 * ldc + 4, c31);
}

// One row of op(a) × the panel into 8 entries of c.
static inline void mm_tile_1x8(const float *a0, int a_step, const float *panel, float *c, int kc,
                               int accumulate) {
  v128_t c0 = accumulate ? wasm_v128_load(c) : wasm_f32x4_splat(0.0f);
  v128_t c1 = accumulate ? wasm_v128_load(c + 4) : wasm_f32x4_splat(0.0f);
  for (int p = 0; p < kc; p++) {
    const v128_t x = wasm_v128_load32_splat(a0);
    MADD(c0, x, wasm_v128_load(panel));
    MADD(c1, x, wasm_v128_load(panel + 4));
    panel += 8;
    a0 += a_step;
  }
  wasm_v128_store(c, c0), wasm_v128_store(c + 4, c1);
}

// The [kc, 8] panel of op(b) at inner step p0 and column j0: `cols` (≤ 8) columns, the rest 0.
static inline void mm_pack_panel(const float *b, float *panel, int k, int n, int p0, int kc,
                                 int j0, int cols, int b_transposed) {
  if (!b_transposed && cols == 8) {
    const float *row = b + p0 * n + j0;
    for (int p = 0; p < kc; p++, row += n) {
      wasm_v128_store(panel + 8 * p, wasm_v128_load(row));
      wasm_v128_store(panel + 8 * p + 4, wasm_v128_load(row + 4));
    }
    return;
  }
  for (int p = 0; p < kc; p++) {
    for (int j = 0; j < 8; j++) {
      float v = 0.0f;
      if (j < cols) v = b_transposed ? b[(j0 + j) * k + p0 + p] : b[(p0 + p) * n + j0 + j];
      panel[8 * p + j] = v;
    }
  }
}

// Rows [i, i + rows) (rows ≤ 4) of c, columns [j0, j0 + cols) (cols < 8), through the [4, 8]
// tile `t` (the scratch after the panel): c's entries in, the product added, back out.
static inline void mm_partial_tile(const float *ap, int a_row, int a_step, const float *panel,
                                   float *c, float *t, int n, int i, int rows, int j0, int cols,
                                   int kc, int accumulate) {
  for (int r = 0; r < rows; r++)
    for (int j = 0; j < 8; j++) t[8 * r + j] = accumulate && j < cols ? c[(i + r) * n + j0 + j] : 0.0f;
  if (rows == 4) {
    const float *a0 = ap + i * a_row;
    mm_tile_4x8(a0, a0 + a_row, a0 + 2 * a_row, a0 + 3 * a_row, a_step, panel, t, 8, kc, 1);
  } else {
    for (int r = 0; r < rows; r++) mm_tile_1x8(ap + (i + r) * a_row, a_step, panel, t + 8 * r, kc, 1);
  }
  for (int r = 0; r < rows; r++)
    for (int j = 0; j < cols; j++) c[(i + r) * n + j0 + j] = t[8 * r + j];
}

// Rows [i_begin, i_end) and columns [j_begin, j_end) of c[m, n] (+)= op(a) · op(b), op(a)
// [m, k] (a is [k, m] when a_transposed), op(b) [k, n] (b is [n, k] when b_transposed): added to
// c when `accumulate`, else written; then bias[n] added to every row when bias is not 0, and
// ReLU (activation 1) or ReLU6 (2) applied. Rows go in blocks of MC, so that the block of op(a)
// under one panel stays in the L2 cache across all panels. j_begin is a multiple of 8 (a panel's
// first column) and every entry adds its k products in the same order, one at a time, in either
// tile (4 × 8 or 1 × 8): an entry of c is computed the same way whichever block it falls in.
// scratch: MAT_MUL_SCRATCH floats.
static void gemm_block(const float *a, const float *b, float *c, float *scratch,
                       const float *bias, int m, int k, int n, int a_transposed, int b_transposed,
                       int activation, int accumulate, int i_begin, int i_end, int j_begin,
                       int j_end) {
  const int a_row = a_transposed ? 1 : k;  // from one row of op(a) to the next
  const int a_step = a_transposed ? m : 1; // from one inner step to the next
  float *panel = scratch, *t = scratch + KC * 8;
  if (k == 0 && !accumulate) {
    for (int i = i_begin; i < i_end; i++)
      for (int j = j_begin; j < j_end; j++) c[i * n + j] = 0.0f;
  }
  for (int p0 = 0; p0 < k; p0 += KC) {
    const int kc = k - p0 < KC ? k - p0 : KC;
    const int add = accumulate || p0 > 0;
    const float *ap = a + p0 * a_step;
    for (int i0 = i_begin; i0 < i_end; i0 += MC) {
      const int i1 = i_end - i0 < MC ? i_end : i0 + MC;
      for (int j0 = j_begin; j0 < j_end; j0 += 8) {
        const int cols = j_end - j0 < 8 ? j_end - j0 : 8;
        mm_pack_panel(b, panel, k, n, p0, kc, j0, cols, b_transposed);
        int i = i0;
        if (cols < 8) {
          for (; i < i1; i += 4)
            mm_partial_tile(ap, a_row, a_step, panel, c, t, n, i, i1 - i < 4 ? i1 - i : 4, j0, cols,
                            kc, add);
          continue;
        }
        if (a_transposed) {
          for (; i + 4 <= i1; i += 4)
            mm_tile_4x8(ap + i, ap + i + 1, ap + i + 2, ap + i + 3, m, panel, c + i * n + j0, n,
                        kc, add);
        } else {
          for (; i + 4 <= i1; i += 4) {
            const float *a0 = ap + i * k;
            mm_tile_4x8(a0, a0 + k, a0 + 2 * k, a0 + 3 * k, 1, panel, c + i * n + j0, n, kc, add);
          }
        }
        for (; i < i1; i++) mm_tile_1x8(ap + i * a_row, a_step, panel, c + i * n + j0, kc, add);
      }
    }
  }
  if (bias == 0 && activation == 0) return;
  const v128_t zero = wasm_f32x4_splat(0.0f), six = wasm_f32x4_splat(6.0f);
  for (int i = i_begin; i < i_end; i++) {
    float *row = c + i * n;
    int j = j_begin;
    for (; j + 4 <= j_end; j += 4) {
      v128_t v = wasm_v128_load(row + j);
      if (bias != 0) v = wasm_f32x4_add(v, wasm_v128_load(bias + j));
      if (activation >= 1) v = wasm_f32x4_pmax(v, zero);
      if (activation == 2) v = wasm_f32x4_pmin(v, six);
      wasm_v128_store(row + j, v);
    }
    for (; j < j_end; j++) {
      float v = row[j];
      if (bias != 0) v += bias[j];
      if (activation >= 1) v = v < 0.0f ? 0.0f : v; // NaN stays NaN, as in the SIMD lanes
      if (activation == 2) v = v > 6.0f ? 6.0f : v;
      row[j] = v;
    }
  }
}

// Columns [j_begin, j_end) of c, all its rows: see gemm_block.
static inline void gemm_columns(const float *a, const float *b, float *c, float *scratch,
                                const float *bias, int m, int k, int n, int a_transposed,
                                int b_transposed, int activation, int accumulate, int j_begin,
                                int j_end) {
  gemm_block(a, b, c, scratch, bias, m, k, n, a_transposed, b_transposed, activation, accumulate,
             0, m, j_begin, j_end);
}

// All of c[m, n] (+)= op(a) · op(b): see gemm_columns.
static inline void gemm(const float *a, const float *b, float *c, float *scratch,
                        const float *bias, int m, int k, int n, int a_transposed,
                        int b_transposed, int activation, int accumulate) {
  gemm_columns(a, b, c, scratch, bias, m, k, n, a_transposed, b_transposed, activation,
               accumulate, 0, n);
}

// c = op(a) · op(b) (+ bias, activation): see gemm_columns.
EXPORT(mat_mul)
void mat_mul(const float *a, const float *b, float *c, float *scratch, const float *bias, int m,
             int k, int n, int a_transposed, int b_transposed, int activation) {
  gemm(a, b, c, scratch, bias, m, k, n, a_transposed, b_transposed, activation, 0);
}

// Tiles [t_begin, t_end) of c = op(a) · op(b) (+ bias, activation), the rest of c untouched: one
// thread's share of a product. Tile t is the 8 columns of panel t / row_blocks and the rows of
// block t % row_blocks (blocks of `rows` rows, the last one shorter), so a product with few
// panels still splits into even shares. A share's whole panels are computed as one block of
// columns, the row blocks of a panel it holds in part as one block of rows; see gemm_block.
EXPORT(mat_mul_tiles)
void mat_mul_tiles(float *scratch, int t_begin, int t_end, const float *a, const float *b,
                   float *c, const float *bias, int m, int k, int n, int a_transposed,
                   int b_transposed, int activation, int row_blocks, int rows) {
  int t = t_begin;
  while (t < t_end) {
    const int panel = t / row_blocks, block = t % row_blocks;
    const int j0 = 8 * panel;
    if (block == 0 && t_end - t >= row_blocks) {
      const int panels = (t_end - t) / row_blocks;
      const int j1 = j0 + 8 * panels < n ? j0 + 8 * panels : n;
      gemm_block(a, b, c, scratch, bias, m, k, n, a_transposed, b_transposed, activation, 0, 0, m,
                 j0, j1);
      t += panels * row_blocks;
    } else {
      const int last = t_end - t < row_blocks - block ? block + (t_end - t) : row_blocks;
      const int i0 = block * rows < m ? block * rows : m;
      const int i1 = last * rows < m ? last * rows : m;
      gemm_block(a, b, c, scratch, bias, m, k, n, a_transposed, b_transposed, activation, 0, i0,
                 i1, j0, j0 + 8 < n ? j0 + 8 : n);
      t += last - block;
    }
  }
}

// Copies n floats (SIMD, then the tail).
static inline void copy_floats(float *dst, const float *src, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(dst + i, wasm_v128_load(src + i));
  for (; i < n; i++) dst[i] = src[i];
}

static inline void zero_floats(float *dst, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(dst + i, wasm_f32x4_splat(0.0f));
  for (; i < n; i++) dst[i] = 0.0f;
}

// ---- Tile ----------------------------------------------------------------------------------
//
// out = tile(x, reps) for 4-byte entries, both seen with 6 axes (x's shape s0…s5 and reps
// r0…r5, leading 1s added): row r of out (its last axis, s5 · r5 entries) is row
// Σ_i (o_i mod s_i) · stride_i of x, its indices o_i from r, copied r5 times. Computes the rows
// [row_begin, row_end), the rest untouched: one thread's share (scratch unused).
EXPORT(tile_rows)
void tile_rows(float *scratch, int row_begin, int row_end, const float *x, float *out, int s0,
               int s1, int s2, int s3, int s4, int s5, int r0, int r1, int r2, int r3, int r4,
               int r5) {
  (void)scratch, (void)r0;
  const int o1 = s1 * r1, o2 = s2 * r2, o3 = s3 * r3, o4 = s4 * r4; // out's outer axes (o0 unused)
  const int row_len = s5 * r5;
  for (int r = row_begin; r < row_end; r++) {
    int q = r;
    const int i4 = q % o4;
    q /= o4;
    const int i3 = q % o3;
    q /= o3;
    const int i2 = q % o2;
    q /= o2;
    const int i1 = q % o1;
    const int i0 = q / o1;
    const int source = ((((i0 % s0) * s1 + i1 % s1) * s2 + i2 % s2) * s3 + i3 % s3) * s4 + i4 % s4;
    const float *from = x + source * s5;
    float *to = out + r * row_len;
    for (int t = 0; t < r5; t++, to += s5) copy_floats(to, from, s5);
  }
}

// Rows [p0, p0 + rows) of im2col(x): patches[r, (kh, kw, ci)] = x[n, oh·sh + kh − top,
// ow·sw + kw − left, ci] for the output position p0 + r = (n, oh, ow), 0 outside x. The taps of
// one filter row inside the image are adjacent in both: one copy each.
static void im2col_rows(const float *x, float *patches, int p0, int rows, int in_height,
                        int in_width, int in_channels, int out_height, int out_width,
                        int filter_height, int filter_width, int stride_height, int stride_width,
                        int pad_top, int pad_left) {
  const int row_len = filter_width * in_channels;
  float *o = patches;
  for (int p = p0; p < p0 + rows; p++) {
    const int ow = p % out_width, oh = (p / out_width) % out_height;
    const int n = p / (out_width * out_height);
    const int h0 = oh * stride_height - pad_top, w0 = ow * stride_width - pad_left;
    const int kw_begin = w0 < 0 ? -w0 : 0;
    int kw_end = in_width - w0 < filter_width ? in_width - w0 : filter_width;
    if (kw_end < kw_begin) kw_end = kw_begin;
    for (int kh = 0; kh < filter_height; kh++, o += row_len) {
      const int h = h0 + kh;
      if (h < 0 || h >= in_height || kw_begin == kw_end) {
        zero_floats(o, row_len);
        continue;
      }
      zero_floats(o, kw_begin * in_channels);
      copy_floats(o + kw_begin * in_channels,
                  x + ((n * in_height + h) * in_width + w0 + kw_begin) * in_channels,
                  (kw_end - kw_begin) * in_channels);
      zero_floats(o + kw_end * in_channels, (filter_width - kw_end) * in_channels);
    }
  }
}

// Whether im2col(x) is x itself: a 1 × 1 filter, stride 1, no padding on any side.
static inline int patches_are_x(int in_height, int in_width, int out_height, int out_width,
                                int filter_height, int filter_width, int stride_height,
                                int stride_width, int pad_top, int pad_left) {
  return filter_height == 1 && filter_width == 1 && stride_height == 1 && stride_width == 1 &&
         pad_top == 0 && pad_left == 0 && out_height == in_height && out_width == in_width;
}

// The forward convolution y = conv2d(x, w) (+ bias, then ReLU / ReLU6: activation as in gemm),
// NHWC, w [KH, KW, CI, CO], as im2col + GEMM in chunks of `chunk_rows` output positions, so that
// each chunk's patches are still in the cache when the product reads them (a 1 × 1 filter with
// stride 1 and no padding on any side reads x itself). Computes the output positions
// [p_begin, p_end) (rows of y), the rest untouched: one thread's share (every row is computed
// the same way whatever the share). scratch: chunk_rows · KH·KW·CI + MAT_MUL_SCRATCH floats.
EXPORT(conv2d_forward_rows)
void conv2d_forward_rows(float *scratch, int p_begin, int p_end, const float *x, const float *w,
                         float *y, const float *bias, int activation, int chunk_rows, int batch,
                         int in_height, int in_width, int in_channels, int out_height,
                         int out_width, int out_channels, int filter_height, int filter_width,
                         int stride_height, int stride_width, int pad_top, int pad_left) {
  (void)batch;
  const int taps = filter_height * filter_width * in_channels;
  const int direct = patches_are_x(in_height, in_width, out_height, out_width, filter_height,
                                   filter_width, stride_height, stride_width, pad_top, pad_left);
  if (direct) {
    gemm(x + p_begin * taps, w, y + p_begin * out_channels, scratch, bias, p_end - p_begin, taps,
         out_channels, 0, 0, activation, 0);
    return;
  }
  float *patches = scratch, *mm_scratch = scratch + chunk_rows * taps;
  for (int p0 = p_begin; p0 < p_end; p0 += chunk_rows) {
    const int rows = p_end - p0 < chunk_rows ? p_end - p0 : chunk_rows;
    im2col_rows(x, patches, p0, rows, in_height, in_width, in_channels, out_height, out_width,
                filter_height, filter_width, stride_height, stride_width, pad_top, pad_left);
    gemm(patches, w, y + p0 * out_channels, mm_scratch, bias, rows, taps, out_channels, 0, 0,
         activation, 0);
  }
}

// Adds rows [p0, p0 + rows) of a patch matrix back where im2col_rows took them from (col2im,
// its adjoint): dx[n, oh·sh + kh − top, ow·sw + kw − left, ci] += cols[r, (kh, kw, ci)], dropping
// what falls outside dx.
static void col2im_rows_add(const float *cols, float *dx, int p0, int rows, int in_height,
                            int in_width, int in_channels, int out_height, int out_width,
                            int filter_height, int filter_width, int stride_height,
                            int stride_width, int pad_top, int pad_left) {
  const int row_len = filter_width * in_channels;
  const float *o = cols;
  for (int p = p0; p < p0 + rows; p++) {
    const int ow = p % out_width, oh = (p / out_width) % out_height;
    const int n = p / (out_width * out_height);
    const int h0 = oh * stride_height - pad_top, w0 = ow * stride_width - pad_left;
    const int kw_begin = w0 < 0 ? -w0 : 0;
    const int kw_end = in_width - w0 < filter_width ? in_width - w0 : filter_width;
    for (int kh = 0; kh < filter_height; kh++, o += row_len) {
      const int h = h0 + kh;
      if (h < 0 || h >= in_height || kw_begin >= kw_end) continue;
      float *d = dx + ((n * in_height + h) * in_width + w0 + kw_begin) * in_channels;
      const float *src = o + kw_begin * in_channels;
      const int len = (kw_end - kw_begin) * in_channels;
      int i = 0;
      for (; i + 4 <= len; i += 4)
        wasm_v128_store(d + i, wasm_f32x4_add(wasm_v128_load(d + i), wasm_v128_load(src + i)));
      for (; i < len; i++) d[i] += src[i];
    }
  }
}

// The filter gradient dw = Σ patches(x)ᵀ · dy (dw [KH·KW·CI, CO]) as im2col + GEMM in chunks of
// `chunk_rows` output positions, each chunk's product added to dw (a 1 × 1 filter with stride 1
// and no padding on any side reads x itself). Writes the columns [j_begin, j_end) of dw (output
// channels; j_begin a multiple of 8), the rest untouched: one thread's share, which makes the
// patches of every position itself (each entry sums the same chunks in the same order whatever
// the share). scratch: chunk_rows · KH·KW·CI + MAT_MUL_SCRATCH floats.
EXPORT(conv2d_filter_grad_columns)
void conv2d_filter_grad_columns(float *scratch, int j_begin, int j_end, const float *x,
                                const float *dy, float *dw, int chunk_rows, int batch,
                                int in_height, int in_width, int in_channels, int out_height,
                                int out_width, int out_channels, int filter_height,
                                int filter_width, int stride_height, int stride_width,
                                int pad_top, int pad_left) {
  const int taps = filter_height * filter_width * in_channels;
  const int positions = batch * out_height * out_width;
  const int direct = patches_are_x(in_height, in_width, out_height, out_width, filter_height,
                                   filter_width, stride_height, stride_width, pad_top, pad_left);
  if (direct) {
    gemm_columns(x, dy, dw, scratch, 0, taps, positions, out_channels, 1, 0, 0, 0, j_begin,
                 j_end);
    return;
  }
  float *patches = scratch, *mm_scratch = scratch + chunk_rows * taps;
  if (positions == 0) {
    for (int t = 0; t < taps; t++)
      for (int j = j_begin; j < j_end; j++) dw[t * out_channels + j] = 0.0f;
  }
  for (int p0 = 0; p0 < positions; p0 += chunk_rows) {
    const int rows = positions - p0 < chunk_rows ? positions - p0 : chunk_rows;
    im2col_rows(x, patches, p0, rows, in_height, in_width, in_channels, out_height, out_width,
                filter_height, filter_width, stride_height, stride_width, pad_top, pad_left);
    gemm_columns(patches, dy + p0 * out_channels, dw, mm_scratch, 0, taps, rows, out_channels, 1,
                 0, 0, p0 > 0, j_begin, j_end);
  }
}

// The input gradient dx = col2im(dy · Wᵀ) (W [KH·KW·CI, CO]) in chunks of `chunk_rows` output
// positions: each chunk's rows of dy · Wᵀ, then added where they belong. Wᵀ is written out once
// first, so that the chunks' products copy their panels from rows instead of gathering them
// from columns. Writes the images [n_begin, n_end) of dx, the rest untouched: one thread's
// share (each entry adds the same rows in the same order whatever the share). scratch:
// KH·KW·CI · (CO + chunk_rows) + MAT_MUL_SCRATCH floats (a 1 × 1 filter with stride 1 and no
// padding: MAT_MUL_SCRATCH).
EXPORT(conv2d_input_grad_images)
void conv2d_input_grad_images(float *scratch, int n_begin, int n_end, const float *dy,
                              const float *w, float *dx, int chunk_rows, int batch,
                              int in_height, int in_width, int in_channels, int out_height,
                              int out_width, int out_channels, int filter_height,
                              int filter_width, int stride_height, int stride_width, int pad_top,
                              int pad_left) {
  (void)batch;
  const int taps = filter_height * filter_width * in_channels;
  const int image = out_height * out_width;
  const int p_begin = n_begin * image, p_end = n_end * image;
  const int direct = patches_are_x(in_height, in_width, out_height, out_width, filter_height,
                                   filter_width, stride_height, stride_width, pad_top, pad_left);
  if (direct) {
    gemm(dy + p_begin * out_channels, w, dx + p_begin * taps, scratch, 0, p_end - p_begin,
         out_channels, taps, 0, 1, 0, 0);
    return;
  }
  float *wt = scratch, *cols = wt + taps * out_channels, *mm_scratch = cols + chunk_rows * taps;
  for (int t0 = 0; t0 < taps; t0 += 16) {
    const int t1 = taps - t0 < 16 ? taps : t0 + 16;
    for (int co = 0; co < out_channels; co++)
      for (int t = t0; t < t1; t++) wt[co * taps + t] = w[t * out_channels + co];
  }
  const int dx_image = in_height * in_width * in_channels;
  zero_floats(dx + n_begin * dx_image, (n_end - n_begin) * dx_image);
  for (int p0 = p_begin; p0 < p_end; p0 += chunk_rows) {
    const int rows = p_end - p0 < chunk_rows ? p_end - p0 : chunk_rows;
    gemm(dy + p0 * out_channels, wt, cols, mm_scratch, 0, rows, out_channels, taps, 0, 0, 0, 0);
    col2im_rows_add(cols, dx, p0, rows, in_height, in_width, in_channels, out_height, out_width,
                    filter_height, filter_width, stride_height, stride_width, pad_top, pad_left);
  }
}

// The floats of scratch that mat_mul needs.
EXPORT(mat_mul_scratch_size)
int mat_mul_scratch_size(void) { return MAT_MUL_SCRATCH; }

// The mirror step's end of a fused update (the float32 operations of the separate tfjs ops, in
// their order): target' = target − d·c; with a threshold t ≥ 0 also the weights
// θ = u − clip(u, −t, t), u = target'·δ (ℓ1's prox). NaN stays NaN.
static inline v128_t mirror4(v128_t target, v128_t d, v128_t c) {
  return wasm_f32x4_sub(target, wasm_f32x4_mul(d, c));
}

static inline v128_t shrink4(v128_t next, v128_t delta, v128_t lo, v128_t hi) {
  const v128_t u = wasm_f32x4_mul(next, delta);
  return wasm_f32x4_sub(u, wasm_f32x4_pmin(wasm_f32x4_pmax(u, lo), hi));
}

static inline float shrink1(float next, float delta, float lo, float hi) {
  const float u = next * delta;
  const float low = u < lo ? lo : u; // NaN stays NaN, as pmax / pmin keep it
  return u - (low > hi ? hi : low);
}

// One Adam-direction update of n floats (FUSED_ADAM_STEP_KERNEL of @bregman/optimizers):
// m1' = m1·β₁ + g·(1 − β₁), m2' = m2·β₂ + (g·g)·(1 − β₂), d = (m1' / (√m2' + ε̂))·s, then the
// mirror step's end (see mirror4; theta_out written when threshold ≥ 0).
static void adam_step(const float *g, const float *m1, const float *m2, const float *target, float *m1_out,
               float *m2_out, float *target_out, float *theta_out, int n, float beta1,
               float one_minus_beta1, float beta2, float one_minus_beta2, float epsilon,
               float scale, float target_scale, float delta, float threshold) {
  const v128_t b1 = wasm_f32x4_splat(beta1), c1 = wasm_f32x4_splat(one_minus_beta1);
  const v128_t b2 = wasm_f32x4_splat(beta2), c2 = wasm_f32x4_splat(one_minus_beta2);
  const v128_t eps = wasm_f32x4_splat(epsilon), s = wasm_f32x4_splat(scale);
  const v128_t ts = wasm_f32x4_splat(target_scale), dl = wasm_f32x4_splat(delta);
  const v128_t lo = wasm_f32x4_splat(-threshold), hi = wasm_f32x4_splat(threshold);
  const int shrink = threshold >= 0.0f;
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t gv = wasm_v128_load(g + i);
    const v128_t first = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(m1 + i), b1),
                                        wasm_f32x4_mul(gv, c1));
    const v128_t second = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(m2 + i), b2),
                                         wasm_f32x4_mul(wasm_f32x4_mul(gv, gv), c2));
    const v128_t d = wasm_f32x4_mul(
        wasm_f32x4_div(first, wasm_f32x4_add(wasm_f32x4_sqrt(second), eps)), s);
    const v128_t next = mirror4(wasm_v128_load(target + i), d, ts);
    wasm_v128_store(m1_out + i, first);
    wasm_v128_store(m2_out + i, second);
    wasm_v128_store(target_out + i, next);
    if (shrink) wasm_v128_store(theta_out + i, shrink4(next, dl, lo, hi));
  }
  for (; i < n; i++) {
    const float gv = g[i];
    const float first = m1[i] * beta1 + gv * one_minus_beta1;
    const float second = m2[i] * beta2 + (gv * gv) * one_minus_beta2;
    const float d = (first / (__builtin_sqrtf(second) + epsilon)) * scale;
    const float next = target[i] - d * target_scale;
    m1_out[i] = first;
    m2_out[i] = second;
    target_out[i] = next;
    if (shrink) theta_out[i] = shrink1(next, delta, -threshold, threshold);
  }
}

// One LinBreg update of n floats (FUSED_SGD_STEP_KERNEL of @bregman/optimizers): d = g·τ, then
// the mirror step's end (see mirror4; theta_out written when threshold ≥ 0).
static void sgd_step(const float *g, const float *target, float *target_out, float *theta_out, int n,
              float learning_rate, float target_scale, float delta, float threshold) {
  const v128_t lr = wasm_f32x4_splat(learning_rate), ts = wasm_f32x4_splat(target_scale);
  const v128_t dl = wasm_f32x4_splat(delta);
  const v128_t lo = wasm_f32x4_splat(-threshold), hi = wasm_f32x4_splat(threshold);
  const int shrink = threshold >= 0.0f;
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t d = wasm_f32x4_mul(wasm_v128_load(g + i), lr);
    const v128_t next = mirror4(wasm_v128_load(target + i), d, ts);
    wasm_v128_store(target_out + i, next);
    if (shrink) wasm_v128_store(theta_out + i, shrink4(next, dl, lo, hi));
  }
  for (; i < n; i++) {
    const float next = target[i] - (g[i] * learning_rate) * target_scale;
    target_out[i] = next;
    if (shrink) theta_out[i] = shrink1(next, delta, -threshold, threshold);
  }
}

// One update of LinBreg with momentum of n floats (FUSED_MOMENTUM_STEP_KERNEL of
// @bregman/optimizers): m' = m·β + g·s, d = m', then the mirror step's end (see mirror4;
// theta_out written when threshold ≥ 0).
static void momentum_step(const float *g, const float *m, const float *target, float *m_out,
                   float *target_out, float *theta_out, int n, float momentum, float scale,
                   float target_scale, float delta, float threshold) {
  const v128_t b = wasm_f32x4_splat(momentum), s = wasm_f32x4_splat(scale);
  const v128_t ts = wasm_f32x4_splat(target_scale), dl = wasm_f32x4_splat(delta);
  const v128_t lo = wasm_f32x4_splat(-threshold), hi = wasm_f32x4_splat(threshold);
  const int shrink = threshold >= 0.0f;
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t d = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(m + i), b),
                                    wasm_f32x4_mul(wasm_v128_load(g + i), s));
    const v128_t next = mirror4(wasm_v128_load(target + i), d, ts);
    wasm_v128_store(m_out + i, d);
    wasm_v128_store(target_out + i, next);
    if (shrink) wasm_v128_store(theta_out + i, shrink4(next, dl, lo, hi));
  }
  for (; i < n; i++) {
    const float d = m[i] * momentum + g[i] * scale;
    const float next = target[i] - d * target_scale;
    m_out[i] = d;
    target_out[i] = next;
    if (shrink) theta_out[i] = shrink1(next, delta, -threshold, threshold);
  }
}

// The elements [begin, end) of one fused update (begin a multiple of 4): one thread's share,
// each element computed as by the whole update. scratch unused; n, the whole length, unused.
EXPORT(adam_step_range)
void adam_step_range(float *scratch, int begin, int end, const float *g, const float *m1,
                     const float *m2, const float *target, float *m1_out, float *m2_out,
                     float *target_out, float *theta_out, int n, float beta1,
                     float one_minus_beta1, float beta2, float one_minus_beta2, float epsilon,
                     float scale, float target_scale, float delta, float threshold) {
  (void)scratch, (void)n;
  adam_step(g + begin, m1 + begin, m2 + begin, target + begin, m1_out + begin, m2_out + begin,
            target_out + begin, theta_out + begin, end - begin, beta1, one_minus_beta1, beta2,
            one_minus_beta2, epsilon, scale, target_scale, delta, threshold);
}

// See adam_step_range.
EXPORT(sgd_step_range)
void sgd_step_range(float *scratch, int begin, int end, const float *g, const float *target,
                    float *target_out, float *theta_out, int n, float learning_rate,
                    float target_scale, float delta, float threshold) {
  (void)scratch, (void)n;
  sgd_step(g + begin, target + begin, target_out + begin, theta_out + begin, end - begin,
           learning_rate, target_scale, delta, threshold);
}

// See adam_step_range.
EXPORT(momentum_step_range)
void momentum_step_range(float *scratch, int begin, int end, const float *g, const float *m,
                         const float *target, float *m_out, float *target_out, float *theta_out,
                         int n, float momentum, float scale, float target_scale, float delta,
                         float threshold) {
  (void)scratch, (void)n;
  momentum_step(g + begin, m + begin, target + begin, m_out + begin, target_out + begin,
                theta_out + begin, end - begin, momentum, scale, target_scale, delta, threshold);
}

// ---- Data-parallel training: the reduce-scatter's weighted sum -----------------------------
//
// out[j] = (float) Σ_k shares[k] · part_k[j] for j in [0, n), the parts `count` float arrays
// `stride` bytes apart from `parts`, summed in order k = 0 … count − 1 in float64 (from
// shares[0] · part_0[j]: no leading +0) and rounded once, as GradientExchange.reduce's
// JavaScript does. Here the memory is the one the threads share, not a tfjs heap.
EXPORT(weighted_sum)
void weighted_sum(const float *parts, int stride, int count, const double *shares, float *out,
                  int n) {
  const char *base = (const char *)parts;
  int j = 0;
  for (; j + 4 <= n; j += 4) {
    const v128_t s0 = wasm_f64x2_splat(shares[0]);
    const v128_t v0 = wasm_v128_load((const float *)base + j);
    v128_t lo = wasm_f64x2_mul(wasm_f64x2_promote_low_f32x4(v0), s0);
    v128_t hi = wasm_f64x2_mul(wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v0, v0, 2, 3, 2, 3)), s0);
    for (int k = 1; k < count; k++) {
      const v128_t s = wasm_f64x2_splat(shares[k]);
      const v128_t v = wasm_v128_load((const float *)(base + (long)k * stride) + j);
      lo = wasm_f64x2_add(lo, wasm_f64x2_mul(wasm_f64x2_promote_low_f32x4(v), s));
      hi = wasm_f64x2_add(
          hi, wasm_f64x2_mul(wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 2, 3)), s));
    }
    wasm_v128_store(out + j, wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(lo),
                                                wasm_f32x4_demote_f64x2_zero(hi), 0, 1, 4, 5));
  }
  for (; j < n; j++) {
    double sum = shares[0] * (double)((const float *)base)[j];
    for (int k = 1; k < count; k++) sum += shares[k] * (double)((const float *)(base + (long)k * stride))[j];
    out[j] = (float)sum;
  }
}
