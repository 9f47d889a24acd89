import { checkNonNegative, checkOptionsObject, groupMagnitudes } from '@bregman/core-prox';
import * as tf from '@tensorflow/tfjs-core';
import { countNonZero } from './count-non-zero.js';
import { type GroupSelection, type PruningUnit, prunableKernels } from './model-kernels.js';

/** Options of {@link threshold}. */
export interface ThresholdOptions {
  /**
   * ε ≥ 0: a weight with `|θ| < ε` (in group mode: a neuron / kernel with `‖θ_g‖₂ < ε`) is set
   * to zero. ε = 0 removes nothing.
   */
  epsilon: number;
  /** Compare whole neurons (Dense) / kernels (Conv2D) instead of single weights. Default false. */
  groups?: GroupSelection;
}

/** What {@link threshold} did to one kernel. */
export interface ThresholdLayerReport {
  /** The layer's name. */
  layer: string;
  /** The kernel variable's name. */
  variable: string;
  /** What was compared with ε: single weights, or whole neurons / conv kernels. */
  unit: PruningUnit;
  /** Units that were non-zero and are now zero (weights, or whole neurons / kernels). */
  removed: number;
  /** Entries that were non-zero and are now zero. */
  removedWeights: number;
  /** Non-zero entries left. */
  nonZero: number;
  /** Entries of the kernel. */
  size: number;
}

/** What {@link threshold} did, per kernel and in total (counted in entries). */
export interface ThresholdReport {
  /** One report per Dense / Conv2D kernel, in layer order. */
  layers: ThresholdLayerReport[];
  /** Entries set to zero, over all kernels. */
  removedWeights: number;
  /** Non-zero entries left, over all kernels. */
  nonZero: number;
  /** Entries of all kernels. */
  size: number;
  /** `nonZero / size`: the density N_total of the kernels after thresholding (paper §4.4). */
  density: number;
}

/**
 * The "+ thresh." step of the paper's lasso baselines (§4.4, Tables 1–3): sets to zero every
 * weight of the `Dense` / `Conv2D` kernels whose magnitude is below ε — or, in group mode,
 * every neuron / conv kernel whose Euclidean norm is below ε — and reports how many it
 * removed. Plain (sub)gradient descent on `L + J` ({@link SparsityPenalty}) leaves the
 * weights the lasso would remove hovering near zero; this makes them zero. Works on any model
 * (the paper also thresholds LinBreg and AdaBreg nets, Table 3). Biases are left alone.
 *
 * @param model - a `tf.LayersModel`; its kernels are changed in place.
 * @returns per-kernel and total counts (read back asynchronously, once).
 */
export async function threshold(
  model: { layers: readonly unknown[] },
  options: ThresholdOptions,
): Promise<ThresholdReport> {
  checkOptionsObject(
    'threshold',
    options,
    'with epsilon (a finite number ≥ 0), e.g. { epsilon: 1e-3 }',
  );
  const { epsilon, groups = false } = options;
  checkNonNegative('threshold: epsilon', epsilon);
  const kernels = prunableKernels(model, groups, 'threshold');
  const counts = tf.tidy(() =>
    tf.stack(
      kernels.flatMap(({ variable, reduceAxes }) => {
        const magnitude = groupMagnitudes(variable, reduceAxes);
        const keep = tf.greaterEqual(magnitude, epsilon);
        const removedUnits = tf.sum(
          tf.cast(tf.logicalAnd(tf.greater(magnitude, 0), tf.logicalNot(keep)), 'int32'),
        );
        const before = countNonZero(variable);
        const next = tf.mul(variable, tf.cast(keep, variable.dtype));
        variable.assign(next);
        return [removedUnits, before, countNonZero(next)];
      }),
    ),
  );
  const values = Array.from(await counts.data());
  counts.dispose();
  const layers = kernels.map(({ layer, variable, unit }, i): ThresholdLayerReport => {
    const [removed, before, after] = values.slice(3 * i, 3 * i + 3) as [number, number, number];
    return {
      layer,
      variable: variable.name,
      unit,
      removed,
      removedWeights: before - after,
      nonZero: after,
      size: variable.size,
    };
  });
  const sum = (f: (l: ThresholdLayerReport) => number) => layers.reduce((s, l) => s + f(l), 0);
  const size = sum((l) => l.size);
  const nonZero = sum((l) => l.nonZero);
  return {
    layers,
    removedWeights: sum((l) => l.removedWeights),
    nonZero,
    size,
    density: nonZero / size,
  };
}
