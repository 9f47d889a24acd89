/**
 * Splits a batch of `batchSize` samples into `min(parts, batchSize)` contiguous shards whose
 * sizes differ by at most 1, the larger ones first: `shardSizes(7, 2)` is `[4, 3]`.
 */
export function shardSizes(batchSize: number, parts: number): number[] {
  const count = Math.min(parts, batchSize);
  const base = Math.floor(batchSize / count);
  const larger = batchSize % count;
  return Array.from({ length: count }, (_, i) => base + (i < larger ? 1 : 0));
}
