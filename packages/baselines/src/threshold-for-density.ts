import { checkFraction, groupMagnitudes } from '@bregman/core-prox';
import { type GroupSelection, prunableKernels } from './model-kernels.js';

/**
 * The threshold ε at which {@link threshold}`(model, {epsilon: ε, groups})` leaves at most
 * `density` of all units (weights, or with `groups` whole neurons / conv kernels) of the
 * model's Dense and convolution kernels — the inverse of `threshold`, for a density the
 * user asks for (the paper's Table 2 thresholds the pruned baselines to a density). The
 * units' magnitudes (the same `groupMagnitudes` `threshold` compares) are pooled over the
 * layers and ε is the midpoint between the smallest magnitude kept (of the largest
 * `⌊density · units⌋`) and the largest removed; tied magnitudes at the cut are all removed.
 * Reads each kernel's magnitudes once; leaves no tensors behind.
 *
 * @example
 * ```ts
 * const epsilon = await thresholdForDensity(model, 0.05, { conv: true });
 * await threshold(model, { epsilon, groups: { conv: true } }); // ≤ 5% of the units left
 * ```
 */
export async function thresholdForDensity(
  model: { layers: readonly unknown[] },
  density: number,
  groups: GroupSelection = false,
): Promise<number> {
  checkFraction('thresholdForDensity: density', density);
  const magnitudes: number[] = [];
  for (const { variable, reduceAxes } of prunableKernels(model, groups, 'thresholdForDensity')) {
    const values = groupMagnitudes(variable, reduceAxes);
    for (const v of await values.data()) magnitudes.push(v);
    values.dispose();
  }
  magnitudes.sort((a, b) => b - a);
  const keep = Math.floor(density * magnitudes.length);
  if (keep >= magnitudes.length) return 0;
  if (keep === 0) return (magnitudes[0] ?? 0) * 2 + Number.MIN_VALUE;
  const smallestKept = magnitudes[keep - 1]!;
  const largestRemoved = magnitudes[keep]!;
  // |θ| < ε is removed: halfway between keeps the one and removes the other; ties are all
  // removed
  return smallestKept > largestRemoved
    ? (smallestKept + largestRemoved) / 2
    : smallestKept * (1 + 2 ** -20);
}
