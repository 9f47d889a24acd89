import * as tf from '@tensorflow/tfjs-core';
import type { Direction } from './direction.js';

/** `d = τg` (Algorithm 1, paper eq. 2.8b): LinBreg. No state. */
export function sgdDirection(): Direction {
  return {
    slots: [],
    step: (gradient, _slots, learningRate) => tf.mul(gradient, learningRate),
  };
}
