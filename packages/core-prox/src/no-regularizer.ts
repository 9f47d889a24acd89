import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { NoRegularizerConfig, Regularizer } from './regularizer.js';
import { checkNonNegative } from './validation.js';

/**
 * `J = 0`: no sparsity. Its prox is the identity, so LinBreg with it (and δ = 1) is plain
 * SGD, and AdaBreg is Adam (paper §2.2).
 */
export class NoRegularizer implements Regularizer {
  /** Always 0. */
  readonly lambda = 0;

  value(_theta: Tensor): Scalar {
    return tf.scalar(0);
  }

  /** The identity: returns a new tensor (a clone) equal to `x`. */
  prox(x: Tensor, delta: number): Tensor {
    checkNonNegative('NoRegularizer.prox: delta', delta);
    return tf.clone(x);
  }

  subgradient(theta: Tensor): Tensor {
    return tf.zerosLike(theta);
  }

  getConfig(): NoRegularizerConfig {
    return { type: 'None', lambda: 0 };
  }
}
