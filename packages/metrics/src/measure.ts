import { checkPositive, checkRules, type RegularizerRule } from '@bregman/core-prox';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { bregmanDistanceProbe } from './bregman-distance-to.js';
import { requireKernels } from './kernels.js';
import { l1NormProbe } from './l1-norm.js';
import { constantProbe, read } from './probe.js';
import type { WeightsReference } from './reference.js';
import { regularizerValueProbe } from './regularizer-value.js';
import { type SparsityReport, sparsityProbe } from './sparsity.js';
import { trainableVariables } from './variables.js';

/** Options of {@link measure} (and of {@link SparsityLogger}). */
export interface MeasureOptions {
  /** Regularizer rules: when given, {@link Measurements.regularizer} is computed. */
  rules?: readonly RegularizerRule[];
  /**
   * Reference weights: when given, {@link Measurements.bregmanDistance} is computed (with
   * `rules`, `[]` if absent, and `delta`).
   */
  reference?: WeightsReference;
  /** δ > 0 of the elastic net for the Bregman distance (see {@link bregmanDistanceTo}). */
  delta?: number;
}

/** Everything {@link measure} computes, as plain numbers. */
export interface Measurements {
  /** {@link sparsity}. */
  sparsity: SparsityReport;
  /** {@link l1Norm}. */
  l1Norm: number;
  /** {@link regularizerValue}; present when `rules` were given. */
  regularizer?: number;
  /** {@link bregmanDistanceTo}; present when a `reference` was given. */
  bregmanDistance?: number;
}

/**
 * {@link sparsity}, {@link l1Norm} and, on request, {@link regularizerValue} and
 * {@link bregmanDistanceTo} at once, with a single asynchronous read from the backend (all
 * numbers are computed on the backend and packed into one small tensor). Leaves no tensors
 * behind. This is what {@link SparsityLogger} runs once per epoch.
 *
 * @param model - a built `tf.LayersModel` with at least one Dense or convolution layer.
 * @param options - `rules`, `reference`, `delta`.
 */
export async function measure(
  model: LayersModel,
  options: MeasureOptions = {},
): Promise<Measurements> {
  return measureWith('measure', model, options);
}

/** {@link measure}, with `context` opening its error messages (internal). */
export async function measureWith(
  context: string,
  model: LayersModel,
  options: MeasureOptions,
): Promise<Measurements> {
  const [report, l1, regularizer, distance] = await read(measureProbes(context, model, options));
  const result: Measurements = { sparsity: report, l1Norm: l1 };
  if (regularizer !== undefined) result.regularizer = regularizer;
  if (distance !== undefined) result.bregmanDistance = distance;
  return result;
}

/** Checks the options and builds the probes of {@link measure}. */
function measureProbes(context: string, model: LayersModel, options: MeasureOptions) {
  const { rules, reference, delta } = options;
  if (rules !== undefined) checkRules(rules);
  if (delta !== undefined) checkPositive(`${context}: delta`, delta);
  const kernels = requireKernels(context, model);
  const none = constantProbe<number | undefined>(undefined);
  return [
    sparsityProbe(kernels),
    l1NormProbe(kernels),
    rules === undefined ? none : regularizerValueProbe(trainableVariables(context, model), rules),
    reference === undefined
      ? none
      : bregmanDistanceProbe(context, model, reference, rules ?? [], delta),
  ] as const;
}
