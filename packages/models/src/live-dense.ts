// A Dense layer of a live step whose gradients come out at full size, assembled from row
// products instead of gathered blocks and scattered entries (see `SparseAwareStep`).
import * as tf from '@tensorflow/tfjs-core';
import { kernelBlock } from './live-blocks.js';
import type { LiveLayer, WeightedStage } from './live-units.js';
import { range } from './range.js';

/**
 * Whether a Dense layer's live step should give its gradients at full size
 * ({@link denseWithFullGradients}) rather than per block: when the blocks it would gather —
 * every computed input row (varying, gradient-only, constant) times every computed unit —
 * cover at least three quarters of the kernel (the ConvNet's first Dense layer at Table 2's
 * initial density, 54%, measured ~20 ms per step faster by blocks on wasm; the denoiser's
 * layers, 85–95%, faster at full size). Gradient-only units make them that large in a
 * neuron-sparse network (the denoiser): their zero incoming weights from the varying inputs,
 * and the weights of every constant input, all get a gradient.
 */
export function takesFullGradients(stage: WeightedStage, live: LiveLayer, units: number): boolean {
  if (stage.layer.getClassName() !== 'Dense') return false;
  const rows = live.inputs.length + live.gradientInputs.length + live.constantInputs.length;
  return 4 * rows * units >= 3 * stage.nIn * stage.nOut;
}

/** What {@link denseWithFullGradients} computes. */
export interface FullGradientLayer {
  /** The computed units: the varying ones, then the gradient-only ones. */
  units: number[];
  /** How many of `units` are varying. */
  varying: number;
  /** Per unit of the layer: whether a gradient-only input has a non-zero weight into it. */
  probed: Uint8Array;
  /** Per unit of the layer: its bias plus the constant inputs' contributions (`LiveAnalysis`). */
  constantPart: Float32Array;
}

/**
 * `z` of a Dense layer's computed `units` (`[batch, units]`), from the varying inputs'
 * `maps` (`[batch, inputs]`), the gradient-only inputs' `probes` (constant maps, or null)
 * and the layer's whole `kernel` and `bias` — whose gradients it gives at full size:
 *
 * - forward: the varying units' product with the varying inputs' weights, plus every unit's
 *   constant part — its bias and `c·W` of the constant and gradient-only inputs, as the
 *   step's analysis found it (`constantPart`; the varying inputs' weights into gradient-only
 *   units are 0);
 * - `d kernel`: the varying inputs' rows `hᵀ·dz` (one product over the batch), the constant
 *   and gradient-only inputs' rows `c ⊗ Σ_batch dz`, zeros elsewhere, put in place by one
 *   scatter of whole rows; `d bias = Σ_batch dz` at the units;
 * - `d maps` through the varying units' weights, `d probes` through the units that a
 *   gradient-only input reaches (none when `inputNeedsGradient` is false: the model's input).
 *
 * Exactly the dense layer's gradients for every weight, up to float32 summation order.
 */
export function denseWithFullGradients(
  stage: WeightedStage,
  live: LiveLayer,
  layer: FullGradientLayer,
  maps: tf.Tensor,
  probes: tf.Tensor | null,
  kernel: tf.Tensor,
  bias: tf.Tensor | null,
  inputNeedsGradient: boolean,
): tf.Tensor {
  const { nIn, nOut } = stage;
  const { units, varying, probed } = layer;
  const varyingUnits = units.slice(0, varying);
  const constantRows = [...live.constantInputs, ...live.gradientInputs];
  const probedUnits = units.filter((o) => probed[o]);
  const probedColumns = range(units.length).filter((i) => probed[units[i]!]);
  const rows = [...live.inputs, ...constantRows];
  // (made in the backward pass: the forward pass's own tensors are freed when it ends)
  const indices = (list: number[]) => tf.tensor2d(list, [list.length, 1], 'int32');
  const op = tf.customGrad(((...args: tf.Tensor[]) => {
    const save = args.pop() as unknown as tf.GradSaveFunc;
    const mapsIn = args[0]!;
    const probesIn = probes ? args[1]! : null;
    const w = args[probes ? 2 : 1]! as tf.Tensor2D;
    const b = bias ? args.at(-1)! : null;
    const batch = mapsIn.shape[0]!;
    // the constant inputs' values, then the gradient-only inputs' (their maps' first row),
    // for the weight gradient of their rows
    const parts: tf.Tensor[] = [];
    if (live.constantInputs.length > 0) {
      parts.push(tf.tensor2d(live.constantValues, [1, live.constantInputs.length]));
    }
    if (probesIn) parts.push(tf.slice(probesIn, [0, 0], [1, live.gradientInputs.length]));
    const constants = parts.length > 0 ? tf.concat(parts, 1) : null;
    // every unit's constant part: its bias and Σ c·W over the constant rows, as the analysis
    // found it (the same float32 values the dense layer adds up, in another order)
    const constantPart = tf.tensor2d(
      Float32Array.from(units, (o) => layer.constantPart[o]!),
      [1, units.length],
    );
    const wVarying = varying > 0 ? kernelBlock(w, live.inputs, varyingUnits) : null;
    const computed = wVarying ? tf.matMul(mapsIn as tf.Tensor2D, wVarying as tf.Tensor2D) : null;
    const z = tf.add(
      computed === null
        ? tf.zeros([batch, units.length])
        : varying === units.length
          ? computed
          : tf.concat([computed, tf.zeros([batch, units.length - varying])], 1),
      constantPart,
    );
    save([mapsIn, constants ?? tf.zeros([1, 0]), wVarying ?? tf.zeros([0, 0]), w]);
    return {
      value: z,
      gradFunc: (dz: tf.Tensor, saved: tf.Tensor[]) => {
        const [mapsSaved, constantsSaved, wVaryingSaved, wSaved] = saved as tf.Tensor2D[];
        const dz2 = dz as tf.Tensor2D;
        // dz at full width, as rows [nOut, batch]
        const dzRows = tf.scatterND(indices(units), tf.transpose(dz2), [
          nOut,
          batch,
        ]) as tf.Tensor2D;
        const rowGrads: tf.Tensor[] = [tf.matMul(mapsSaved!, dzRows, true, true)]; // [inputs, nOut]
        if (constantRows.length > 0) {
          const sums = tf.reshape(tf.sum(dzRows, 1), [1, nOut]);
          rowGrads.push(tf.matMul(constantsSaved!, sums, true)); // [constant rows, nOut]
        }
        const dw = tf.scatterND(indices(rows), tf.concat(rowGrads, 0), [nIn, nOut]);
        const grads: tf.Tensor[] = [];
        grads.push(
          inputNeedsGradient && varying > 0
            ? tf.matMul(tf.slice(dz2, [0, 0], [batch, varying]), wVaryingSaved!, false, true)
            : tf.zerosLike(mapsSaved!),
        );
        if (probesIn) {
          grads.push(
            probedUnits.length > 0
              ? tf.matMul(
                  tf.gather(dz2, probedColumns, 1),
                  kernelBlock(wSaved!, live.gradientInputs, probedUnits),
                  false,
                  true,
                )
              : tf.zerosLike(probesIn),
          );
        }
        grads.push(dw);
        if (b) grads.push(tf.scatterND(indices(units), tf.sum(dz2, 0), [nOut]));
        return grads;
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const args = [maps, ...(probes ? [probes] : []), kernel, ...(bias ? [bias] : [])];
  return (op as unknown as (...t: tf.Tensor[]) => tf.Tensor)(...args);
}
