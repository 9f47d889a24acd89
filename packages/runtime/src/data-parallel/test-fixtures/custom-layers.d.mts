import type * as tf from '@tensorflow/tfjs';

export declare class Twice extends tf.layers.Layer {}
export declare class ThrowsInWorker extends tf.layers.Layer {}
export declare class ExitsInWorker extends tf.layers.Layer {}
export declare class ThrowsInWorkerAtStep3 extends tf.layers.Layer {}
export declare class ExitsInWorkerAtStep3 extends tf.layers.Layer {}
export declare class ThrowsOnMainAtStep2 extends tf.layers.Layer {}
export declare class SlowInWorker extends tf.layers.Layer {}
export declare class ThrowsOnUpdate2InWorker extends tf.SGDOptimizer {
  constructor(learningRate: number);
}
