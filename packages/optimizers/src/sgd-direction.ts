import * as tf from '@tensorflow/tfjs-core';
import type { Direction } from './direction.js';
import { fusedSgdStep } from './fused-steps.js';

/**
 * `d = τg` (Algorithm 1, paper eq. 2.8b): LinBreg. No state. Where the backend registers
 * `FUSED_SGD_STEP_KERNEL` (`@bregman/runtime` on wasm), the update of a variable (with an ℓ1
 * prox, that too) runs as that one kernel, with the same float32 results.
 */
export function sgdDirection(): Direction {
  return {
    slots: [],
    step: (gradient, _slots, learningRate) => tf.mul(gradient, learningRate),
    fusedStep: (gradient, _slots, target, mirror, learningRate) =>
      fusedSgdStep(gradient, target, { learningRate, ...mirror }),
  };
}
