// The names of the range kernels, with no import: the GEMM threads' script reads them.

/**
 * The kernels of `kernels.c` that compute one share of their output, `[begin, end)` of one of
 * its dimensions (the rest untouched), each entry the same way whatever the share; called as
 * `(scratch, begin, end, ...args)`. The index of a name is its number in the threads' control
 * block.
 */
export const RANGE_KERNELS = [
  'mat_mul_tiles',
  'conv2d_forward_rows',
  'conv2d_filter_grad_columns',
  'conv2d_input_grad_images',
  'conv2d_input_grad_rows',
  'conv2d_filter_grad_tiled_rows',
  'max_pool_grad_2x2_rows',
  'sum_leading_columns',
  'adam_step_range',
  'sgd_step_range',
  'momentum_step_range',
  'binary_rows',
  'batch_norm_rows',
  'tile_rows',
  'unary_range',
  'standardize_range',
  'max_pool_2x2_rows',
] as const;

/** One of {@link RANGE_KERNELS}. */
export type RangeKernel = (typeof RANGE_KERNELS)[number];
