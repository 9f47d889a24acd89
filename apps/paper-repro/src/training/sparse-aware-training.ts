import { SparseAwareStep } from '@bregman/models';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { RunSpec } from '../shared/spec.js';

/**
 * Why a run trains with the dense step although `--sparse-aware` asked for the step on the
 * live units, or null when it can use it. The sparse-aware step computes the gradient of
 * the data loss and hands it to the optimizer: a method that adds a penalty to the loss or
 * masks weights after each step takes the dense step, as does a model that is no chain of
 * Dense / Conv2D layers with pooling and Flatten between them (ResNet-18).
 */
export function denseStepReason(spec: RunSpec, model: LayersModel): string | null {
  if (spec.method.penalty) return 'its method adds a penalty to the loss';
  if (spec.method.pruning) return 'its method prunes after every step';
  try {
    new SparseAwareStep(model);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  return null;
}

/**
 * The sparse-aware step for a run (`--sparse-aware`), or null when it was not asked for or
 * the run cannot use it ({@link denseStepReason}). In `auto` mode it takes the live units
 * only when that is estimated to cost at most 60% of the dense step, so a run whose network
 * is dense trains as before.
 */
export function startSparseAwareStep(
  spec: RunSpec,
  model: LayersModel,
  requested: boolean,
): SparseAwareStep | null {
  if (!requested || denseStepReason(spec, model) !== null) return null;
  return new SparseAwareStep(model);
}
