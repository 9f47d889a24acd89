import type { layers } from '@tensorflow/tfjs-layers';

/** An activation name tfjs-layers knows (`'relu'`, `'tanh'`, `'linear'`, …). */
export type ActivationName = NonNullable<Parameters<typeof layers.dense>[0]['activation']>;

/** Whether `activation` is ReLU-like (then He's rule is the default variance). */
export function isReluLike(activation: ActivationName): boolean {
  return (
    activation === 'relu' || activation === 'relu6' || activation === 'elu' || activation === 'selu'
  );
}
