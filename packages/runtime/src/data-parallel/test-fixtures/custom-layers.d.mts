import type * as tf from '@tensorflow/tfjs';

export declare class Twice extends tf.layers.Layer {}
export declare class ThrowsInWorker extends tf.layers.Layer {}
export declare class ExitsInWorker extends tf.layers.Layer {}
