import { expectAllClose } from '@bregman/test-utils';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { on, randomData } from '../backends.test-helper.js';
import {
  registerWasmTrainingKernels,
  unregisterWasmTrainingKernels,
  WASM_TRAINING_KERNELS,
  wasmTrainingKernelsRegistered,
} from './register.js';

// Its own file (own process): here the kernels are registered *before* wasm starts, so the
// stock kernels they call were never set up by the engine.
describe('registering before the wasm backend starts', () => {
  it('without tfjs-backend-wasm loaded: a clear error', () => {
    expect(() => registerWasmTrainingKernels()).toThrow(
      /the wasm backend has no 'Conv2D' kernel: import '@tensorflow\/tfjs-backend-wasm'/,
    );
  });

  it('works, is idempotent, and unregistering brings the stock kernels back', async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    expect(registerWasmTrainingKernels()).toEqual([...WASM_TRAINING_KERNELS]);
    expect(registerWasmTrainingKernels()).toEqual([...WASM_TRAINING_KERNELS]);
    expect(wasmTrainingKernelsRegistered()).toBe(true);
    expect(WASM_TRAINING_KERNELS).toEqual(expect.arrayContaining(['GatherV2', 'ScatterNd']));
    // a fallback to a stock kernel the engine never set up (bool updates go to the stock ScatterNd)
    const boolScatter = await on('wasm', () =>
      tf.tidy(() =>
        Array.from(
          tf
            .scatterND(tf.tensor2d([3, 1], [2, 1], 'int32'), tf.tensor1d([1, 1], 'bool'), [4])
            .dataSync(),
        ),
      ),
    );
    expect(boolScatter).toEqual([0, 1, 0, 1]);
    const run = (backend: 'cpu' | 'wasm') =>
      on(backend, () =>
        tf.tidy(() => {
          const x = tf.tensor4d(randomData(2 * 6 * 6 * 3, 61), [2, 6, 6, 3]);
          const w = tf.tensor4d(randomData(3 * 3 * 3 * 4, 62), [3, 3, 3, 4]);
          const b = tf.tensor1d(randomData(4, 63));
          const loss = (a: tf.Tensor, c: tf.Tensor) =>
            tf.sum(
              tf.matMul(
                tf.reshape(
                  tf.fused.conv2d({
                    x: a as tf.Tensor4D,
                    filter: c as tf.Tensor4D,
                    bias: b,
                    strides: 1,
                    pad: 'same',
                  }),
                  [2, -1],
                ),
                tf.ones([144, 2]),
                false,
                false,
              ),
            );
          const [dx, dw] = tf.grads(loss)([x, w]);
          return [...dx!.dataSync(), ...dw!.dataSync()];
        }),
      );
    const cpu = await run('cpu');
    expectAllClose(await run('wasm'), cpu, { rtol: 1e-4, atol: 1e-5 });
    unregisterWasmTrainingKernels();
    expect(wasmTrainingKernelsRegistered()).toBe(false);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined(); // tfjs-backend-wasm has none
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).toBeDefined();
    // the restored stock kernels run (their setup happened on the way back)
    const y = await on('wasm', () =>
      tf.tidy(() =>
        Array.from(tf.matMul(tf.ones([2, 3]), tf.ones([2, 3]), true, false).dataSync()),
      ),
    );
    expect(y).toEqual(new Array(9).fill(2));
    const gathered = await on('wasm', () =>
      tf.tidy(() =>
        Array.from(tf.gather(tf.tensor2d([1, 2, 3, 4], [2, 2]), [1, 1, 0], 1).dataSync()),
      ),
    );
    expect(gathered).toEqual([2, 2, 1, 4, 4, 3]);
  });
});
