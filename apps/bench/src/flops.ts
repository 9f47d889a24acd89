import type * as tf from '@tensorflow/tfjs';

/** The multiply-add FLOPs of one training step of a model, by layer and in all. */
export interface StepFlops {
  /** Forward pass (2 FLOPs per multiply-add). */
  forward: number;
  /** Weight gradients (as many FLOPs as the forward pass of the layers that have weights). */
  weightGradients: number;
  /** Input gradients: only where a layer upstream has trainable weights (tfjs prunes the rest). */
  inputGradients: number;
  /** `forward + weightGradients + inputGradients`. */
  total: number;
}

interface Symbolic {
  id: number;
  shape: Array<number | null>;
}

const asList = (t: Symbolic | Symbolic[]) => (Array.isArray(t) ? t : [t]);
const product = (dims: Array<number | null>) => dims.reduce<number>((a, d) => a * (d ?? 1), 1);

/** Multiply-adds of one example through a Dense or Conv2D layer, 0 for other layers. */
function multiplyAdds(layer: tf.layers.Layer): number {
  const kind = layer.getClassName();
  const input = asList(layer.input as unknown as Symbolic)[0]!;
  const output = asList(layer.output as unknown as Symbolic)[0]!;
  if (kind === 'Dense') {
    // a Dense layer applies to the last axis; the others are positions
    const nIn = input.shape.at(-1)!;
    return product(output.shape.slice(1)) * nIn;
  }
  if (kind === 'Conv2D') {
    const [kh, kw, cin] = layer.getWeights()[0]!.shape as number[];
    return product(output.shape.slice(1)) * kh! * kw! * cin!;
  }
  if (layer.trainableWeights.length > 0 && kind !== 'BatchNormalization') {
    throw new Error(
      `trainingFlops: layer '${layer.name}' (${kind}) has weights but no FLOP count here (Dense, Conv2D and BatchNormalization are known)`,
    );
  }
  return 0;
}

/**
 * The FLOPs of one training step of `model` at `batchSize`, counted once, analytically:
 * 2 per multiply-add of every Dense and Conv2D layer in the forward pass, as many again
 * for their weight gradients, and as many again for their input gradients where the
 * input depends on a trainable weight upstream (tfjs computes no gradient towards the
 * data). Element-wise layers, pooling, BatchNormalization and the optimizer step are
 * memory-bound and left out, as is usual: the count is what a matMul-bound step costs.
 */
export function trainingFlops(model: tf.LayersModel, batchSize: number): StepFlops {
  const dependsOnWeights = new Set<number>();
  let forward = 0;
  let weightGradients = 0;
  let inputGradients = 0;
  for (const layer of model.layers) {
    const inputs = asList(layer.input as unknown as Symbolic);
    const upstream = inputs.some((t) => dependsOnWeights.has(t.id));
    const flops = 2 * batchSize * multiplyAdds(layer);
    forward += flops;
    if (layer.trainableWeights.length > 0) weightGradients += flops;
    if (upstream) inputGradients += flops;
    if (upstream || layer.trainableWeights.length > 0) {
      for (const t of asList(layer.output as unknown as Symbolic)) dependsOnWeights.add(t.id);
    }
  }
  return {
    forward,
    weightGradients,
    inputGradients,
    total: forward + weightGradients + inputGradients,
  };
}
