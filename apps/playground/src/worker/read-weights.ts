import { measure } from '@bregman/metrics';
import type * as tf from '@tensorflow/tfjs';
import type { LayerStats, Snapshot } from '../protocol.js';

/** Sparsity and kernel values of a model, as a snapshot needs them. */
export type WeightsState = Pick<Snapshot, 'density' | 'layers' | 'kernels'>;

/**
 * Reads the Dense kernels' values and their sparsity (`measure` of @bregman/metrics: non-zero
 * weights and active neurons per layer), with asynchronous reads only.
 */
export async function readWeights(model: tf.LayersModel): Promise<WeightsState> {
  const dense = model.layers.filter((l) => l.getClassName() === 'Dense');
  const kernels = dense.map((l) => l.getWeights()[0]!);
  const [measured, ...values] = await Promise.all([
    measure(model),
    ...kernels.map((k) => k.data() as Promise<Float32Array>),
  ]);
  const layers: LayerStats[] = [];
  for (const entry of measured.sparsity.perLayer) {
    if (entry.kind !== 'Dense') continue;
    layers.push({
      layer: entry.layer,
      nonZeros: entry.nonZeros,
      size: entry.size,
      activeNeurons: entry.activeNeurons,
      neurons: entry.neurons,
    });
  }
  return {
    density: measured.sparsity.total,
    layers,
    kernels: kernels.map((k, i) => ({
      shape: [k.shape[0]!, k.shape[1]!] as [number, number],
      values: values[i]!,
    })),
  };
}
