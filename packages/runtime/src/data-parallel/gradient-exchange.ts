import * as tf from '@tensorflow/tfjs-core';
import { type SimdKernels, simdKernelsOnMemory } from '../wasm-kernels/simd/instance.js';
import type { WasmMemory } from '../wasm-kernels/simd/web-assembly.js';
import { allocateExchangeMemory, exchangeBuffer, exchangeViews } from './exchange-memory.js';
import { entriesOf, type TensorLayout, tensorFromShared } from './shared-tensors.js';

/** The batch's mean loss and the samples classified right, summed over the shards. */
export interface ExchangedLogs {
  /** `Σ_k share_k · loss_k`. */
  loss: number;
  /** `Σ_k correct_k`, or null for losses without accuracy. */
  correct: number | null;
  /** Each shard's loss (to say which shard went non-finite). */
  losses: number[];
}

/**
 * The all-reduce of a data-parallel step, the same code in every thread. Thread `k`
 * {@link GradientExchange.publish}es what its shard gave — the gradients of its shard's mean
 * loss, its non-trainable weights after the shard (BatchNorm's running statistics), its loss
 * and accuracy — into region `k` (of a memory every thread sees). Once every thread
 * has published (the barriers are the caller's), the threads {@link GradientExchange.reduce}
 * together: thread `k` of `N` sums the `k`-th of `N` contiguous slices of every region into the
 * shared sums — in shard order, each shard weighted by its share of the batch
 * (`size / batchSize`), in float64, rounded once to float32: the gradient of the whole batch's
 * mean loss and the share-weighted mean of the non-trainable weights, bit for bit the same
 * whichever thread sums which slice. Each thread sums `1/N` of the entries (a reduce-scatter),
 * so the work per thread does not grow with the number of threads (in WebAssembly SIMD where it
 * runs, on the shared `WebAssembly.Memory`; else in JavaScript). Once every slice is summed,
 * each thread {@link GradientExchange.apply}s the same update to its own copy of the weights
 * from the sums: one `optimizer.applyGradients`, then the non-trainable weights set. Every
 * thread thus holds the same weights and optimizer state after every step.
 */
export class GradientExchange {
  /** Each thread's results region, in thread order. */
  readonly regions: readonly Float32Array[];
  /** The share-weighted sums of the regions, which every thread writes a slice of and reads whole. */
  readonly sums: Float32Array;
  private readonly shares: Float64Array;
  private readonly regionBytes: number;
  /** The SIMD kernels' weighted sum on the shared memory, or null (then JavaScript sums). */
  private readonly simdSum: SimdKernels['weighted_sum'] | null;

  /**
   * @param layout - the trainable weights, then the non-trainable ones.
   * @param trainable - how many of them are trainable.
   * @param memory - the memory the threads share (`GradientExchange.allocate`).
   * @param scalars - two float64 per thread: its shard's loss and correct count.
   * @param threads - the threads that exchange, the main thread included.
   * @param index - this thread's index (the main thread is 0).
   */
  constructor(
    readonly layout: TensorLayout,
    readonly trainable: number,
    memory: WasmMemory | SharedArrayBuffer,
    readonly scalars: Float64Array,
    threads: number,
    index: number,
  ) {
    const views = exchangeViews(exchangeBuffer(memory), layout.total, threads, index);
    this.regions = views.regions;
    this.sums = views.sums;
    this.shares = views.shares;
    this.regionBytes = views.regionBytes;
    const kernels = memory instanceof SharedArrayBuffer ? undefined : simdKernelsOnMemory(memory);
    this.simdSum = kernels ? kernels.weighted_sum : null;
  }

  /**
   * Allocates the memory that `threads` threads share: their regions and the sums (one shared
   * `WebAssembly.Memory`, see `allocateExchangeMemory`), and their scalars.
   */
  static allocate(
    layout: TensorLayout,
    threads: number,
  ): { memory: WasmMemory | SharedArrayBuffer; scalars: Float64Array } {
    return {
      memory: allocateExchangeMemory(layout.total, threads),
      scalars: new Float64Array(
        new SharedArrayBuffer(threads * 2 * Float64Array.BYTES_PER_ELEMENT),
      ),
    };
  }

  /** Whether the sums run in WebAssembly SIMD (else in JavaScript; the same numbers). */
  get simd(): boolean {
    return this.simdSum !== null;
  }

  /**
   * Writes thread `index`'s shard results into its region: `grads` (one per trainable
   * weight), the values of `nonTrainable`, the shard's mean `loss` and `correct` count.
   */
  publish(
    index: number,
    grads: readonly tf.Tensor[],
    nonTrainable: readonly tf.Tensor[],
    loss: number,
    correct: number | null,
  ): void {
    const region = this.regions[index]!;
    [...grads, ...nonTrainable].forEach((t, i) => {
      this.layout.view(region, i).set(entriesOf(t));
    });
    this.scalars[2 * index] = loss;
    this.scalars[2 * index + 1] = correct ?? Number.NaN;
  }

  /** The batch's loss and accuracy count from the published scalars of the shards `sizes`. */
  logs(sizes: readonly number[]): ExchangedLogs {
    const batchSize = sizes.reduce((a, b) => a + b, 0);
    const losses = sizes.map((_, k) => this.scalars[2 * k]!);
    const loss = losses.reduce((sum, l, k) => sum + (sizes[k]! / batchSize) * l, 0);
    const counts = sizes.map((_, k) => this.scalars[2 * k + 1]!);
    const correct = counts.some(Number.isNaN) ? null : counts.reduce((a, b) => a + b, 0);
    return { loss, correct, losses };
  }

  /**
   * Sums slice `part` of `parts` (contiguous, sizes differing by at most 1) of the regions of
   * the shards `sizes` (shard `k` published by thread `k`) into {@link GradientExchange.sums},
   * each weighted by its share of the batch. The slices of `0 … parts − 1` together cover
   * every entry once.
   */
  reduce(sizes: readonly number[], part: number, parts: number): void {
    const { total } = this.layout;
    const from = Math.floor((total * part) / parts);
    const to = Math.floor((total * (part + 1)) / parts);
    const batchSize = sizes.reduce((a, b) => a + b, 0);
    const shares = sizes.map((n) => n / batchSize);
    if (this.simdSum && to > from) {
      this.shares.set(shares);
      this.simdSum(
        this.regions[0]!.byteOffset + from * 4,
        this.regionBytes,
        sizes.length,
        this.shares.byteOffset,
        this.sums.byteOffset + from * 4,
        to - from,
      );
      return;
    }
    weightedSum(
      sizes.map((_, k) => this.regions[k]!.subarray(from, to)),
      shares,
      this.sums.subarray(from, to),
    );
  }

  /**
   * Applies the step to this thread's `variables` (trainable first, as in the layout) with its
   * `optimizer`, from the {@link GradientExchange.sums} (every slice reduced). The caller checks
   * the batch's loss first ({@link GradientExchange.logs}, read before the `reduced` barrier:
   * past it, a faster thread may publish the next step's): every thread sees the same losses, so
   * every thread skips a non-finite step alike.
   */
  apply(variables: readonly tf.Variable[], optimizer: tf.Optimizer): void {
    const sum = (i: number) =>
      tensorFromShared(this.layout.view(this.sums, i), this.layout.shapes[i]!);
    tf.tidy(() => {
      const grads: tf.NamedTensorMap = {};
      for (let i = 0; i < this.trainable; i++) grads[variables[i]!.name] = sum(i);
      optimizer.applyGradients(grads);
      for (let i = this.trainable; i < variables.length; i++) variables[i]!.assign(sum(i));
    });
  }
}

/**
 * `out[j] = Σ_k shares[k] · parts[k][j]`, in shard order from `shares[0] · parts[0][j]`, in
 * float64, rounded once (what `kernels.c`'s `weighted_sum` computes).
 */
function weightedSum(
  parts: readonly Float32Array[],
  shares: readonly number[],
  out: Float32Array,
): void {
  const n = out.length;
  if (parts.length === 1) {
    const [p] = parts as [Float32Array];
    const s = shares[0]!;
    for (let j = 0; j < n; j++) out[j] = s * p[j]!;
    return;
  }
  if (parts.length === 2) {
    const [p, q] = parts as [Float32Array, Float32Array];
    const [s, t] = shares as [number, number];
    for (let j = 0; j < n; j++) out[j] = s * p[j]! + t * q[j]!;
    return;
  }
  for (let j = 0; j < n; j++) {
    let sum = shares[0]! * parts[0]![j]!;
    for (let k = 1; k < parts.length; k++) sum += shares[k]! * parts[k]![j]!;
    out[j] = sum;
  }
}
