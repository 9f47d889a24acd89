import type { GroupSelection } from '@bregman/baselines';
import * as tf from '@tensorflow/tfjs';
import type { layers } from '@tensorflow/tfjs-layers';

type Layer = layers.Layer;

/**
 * The threshold ε at which `threshold(model, {epsilon: ε, groups})` leaves at most
 * `density` of all units (weights, or with `groups` whole neurons / conv kernels) of the
 * Dense and Conv2D kernels: the units' magnitudes are pooled over the layers and ε is the
 * midpoint between the smallest magnitude kept (of the largest `⌊density · units⌋`) and the
 * largest removed; tied magnitudes at the cut are all removed.
 */
export async function thresholdForDensity(
  model: { layers: readonly Layer[] },
  density: number,
  groups: GroupSelection = false,
): Promise<number> {
  if (!(density > 0 && density <= 1)) {
    throw new RangeError(`threshold density must be in (0, 1], got ${density}`);
  }
  const byKind = (kind: 'dense' | 'conv') =>
    typeof groups === 'boolean' ? groups : Boolean(groups[kind]);
  const magnitudes: number[] = [];
  for (const layer of model.layers) {
    const kind =
      layer.getClassName() === 'Dense'
        ? 'dense'
        : layer.getClassName() === 'Conv2D'
          ? 'conv'
          : null;
    if (!kind) continue;
    const kernel = layer.getWeights()[0]!;
    const values = tf.tidy(() => {
      if (!byKind(kind)) return kernel.abs();
      const axes = kind === 'dense' ? [0] : [0, 1];
      return kernel.square().sum(axes).sqrt();
    });
    for (const v of await values.data()) magnitudes.push(v);
    values.dispose();
  }
  magnitudes.sort((a, b) => b - a);
  const keep = Math.floor(density * magnitudes.length);
  if (keep >= magnitudes.length) return 0;
  if (keep === 0) return (magnitudes[0] ?? 0) * 2 + Number.MIN_VALUE;
  const smallestKept = magnitudes[keep - 1]!;
  const largestRemoved = magnitudes[keep]!;
  // |θ| < ε is removed: halfway between keeps the one and removes the other even if
  // threshold() computes the norms in another order; ties are all removed
  return smallestKept > largestRemoved
    ? (smallestKept + largestRemoved) / 2
    : smallestKept * (1 + 2 ** -20);
}
