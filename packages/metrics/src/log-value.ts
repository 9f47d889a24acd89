import type { Tensor } from '@tensorflow/tfjs-core';

/** A log value as a number: tfjs's epoch logs may hold scalar tensors (read, not disposed). */
export async function scalarValue(value: number | Tensor): Promise<number> {
  return typeof value === 'number' ? value : ((await value.data())[0] as number);
}
