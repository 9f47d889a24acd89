// Data-parallel training equals one-thread training on the same batches. The worker threads
// run the built script (dist/data-parallel/worker.js): build the package first
// (`pnpm --filter @bregman/runtime build`; turbo does it before the tests).
import { L1 } from '@bregman/core-prox';
import { AdaBreg, LinBreg, rulesForModel } from '@bregman/optimizers';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWasm, on, relativeError } from '../backends.test-helper.js';
import { convNet } from '../models.test-helper.js';
import { DataParallelTrainer } from './trainer.js';
import { batch, copyOf, mlp, trainerOptions, weightValues } from './trainer.test-helper.js';

type MakeOptimizer = (model: tf.LayersModel) => tf.Optimizer;

const optimizers: [string, MakeOptimizer][] = [
  ['SGD', () => tf.train.sgd(0.1)],
  [
    'LinBreg',
    (model) =>
      new LinBreg({
        learningRate: 0.1,
        rules: rulesForModel(model, {
          dense: new L1({ lambda: 0.1 }),
          conv: new L1({ lambda: 0.1 }),
        }),
      }),
  ],
  [
    'AdaBreg',
    (model) =>
      new AdaBreg({
        learningRate: 1e-3,
        rules: rulesForModel(model, {
          dense: new L1({ lambda: 0.5 }),
          conv: new L1({ lambda: 0.5 }),
        }),
      }),
  ],
];

interface Case {
  build: () => tf.LayersModel;
  sampleShape: number[];
  batchSizes: number[];
  makeOptimizer: MakeOptimizer;
  /** Default 2. */
  workers?: number;
  /** Default cpu. */
  backend?: 'cpu' | 'wasm';
}

/** The MLP 784-32-10 of the cases, and its samples' shape. */
const MLP = { build: () => mlp(784, 32), sampleShape: [784] };

/**
 * Trains a model with the trainer and a copy of it with `optimizer.minimize` on the same
 * batches; returns both models' weights, the losses, and the main thread's tensor counts after
 * each step.
 */
async function trainBoth(c: Case) {
  const model = c.build();
  const reference = copyOf(model, c.build);
  const trainer = await DataParallelTrainer.create(
    trainerOptions(model, c.makeOptimizer(model), {
      workers: c.workers ?? 2,
      backend: c.backend ?? 'cpu',
    }),
  );
  const optimizer = c.makeOptimizer(reference);
  const losses: [number, number][] = [];
  const tensors: number[] = [];
  for (const [i, n] of c.batchSizes.entries()) {
    const { x, y } = batch(n, c.sampleShape, 10 + i);
    const { loss } = await trainer.step(x, y);
    const expected = optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(y, reference.apply(x, { training: true }) as tf.Tensor),
      true,
    )!;
    losses.push([loss, expected.dataSync()[0]!]);
    tf.dispose([x, y, expected]);
    tensors.push(tf.memory().numTensors);
  }
  await trainer.dispose();
  const result = {
    actual: weightValues(model),
    expected: weightValues(reference),
    losses,
    tensors,
  };
  model.dispose();
  reference.dispose();
  return result;
}

function expectSameTraining(result: Awaited<ReturnType<typeof trainBoth>>, tolerance: number) {
  for (const [actual, expected] of result.losses) {
    expect(Math.abs(actual - expected)).toBeLessThan(tolerance * Math.abs(expected));
  }
  result.expected.forEach((expected, i) => {
    expect(relativeError(result.actual[i]!, expected), `weight ${i}`).toBeLessThan(tolerance);
  });
}

describe('DataParallelTrainer: the same weights as one-thread training (cpu, 2 workers, 3 steps)', () => {
  it.each(optimizers)('MLP 784-32-10, batch 16, %s', async (_, makeOptimizer) => {
    const result = await trainBoth({ ...MLP, batchSizes: [16, 16, 16], makeOptimizer });
    expectSameTraining(result, 1e-5);
  });

  it.each(optimizers)('ConvNet (4 filters), batch 8, %s', async (_, makeOptimizer) => {
    const result = await trainBoth({
      build: () => convNet(4, 3),
      sampleShape: [28, 28, 1],
      batchSizes: [8, 8, 8],
      makeOptimizer,
    });
    expectSameTraining(result, 1e-5);
  });

  it('uneven batches (15, then 7, then 2 samples on 3 workers: shards 5/5/5, 3/2/2, 1/1)', async () => {
    const result = await trainBoth({
      ...MLP,
      batchSizes: [15, 7, 2],
      makeOptimizer: optimizers[2]![1],
      workers: 3,
    });
    expectSameTraining(result, 1e-5);
  });

  it('batches that grow and shrink (4, 16, 9, 32, 1 samples on 3 workers: the threads follow each)', async () => {
    const result = await trainBoth({
      ...MLP,
      batchSizes: [4, 16, 9, 32, 1],
      makeOptimizer: optimizers[1]![1],
      workers: 3,
    });
    expectSameTraining(result, 1e-5);
  });

  it('the main thread holds as many tensors after step 6 as after step 1', async () => {
    const result = await trainBoth({
      ...MLP,
      batchSizes: [16, 16, 16, 16, 16, 16],
      makeOptimizer: optimizers[1]![1],
    });
    expect(new Set(result.tensors).size, `tensors after each step: ${result.tensors}`).toBe(1);
  });

  it('two runs give bit-identical weights (gradients summed in a fixed order)', async () => {
    const run = async () => {
      const model = mlp(784, 32);
      const trainer = await DataParallelTrainer.create({
        model,
        optimizer: tf.train.adam(1e-3),
        loss: 'softmaxCrossEntropy',
        workers: 2,
        backend: 'cpu',
      });
      for (let i = 0; i < 2; i++) {
        const { x, y } = batch(9, [784], 20 + i);
        await trainer.step(x, y);
        tf.dispose([x, y]);
      }
      await trainer.dispose();
      const weights = weightValues(model);
      model.dispose();
      return weights;
    };
    const [first, second] = [await run(), await run()];
    first.forEach((w, i) => {
      expect(Array.from(second[i]!)).toEqual(Array.from(w));
    });
  });
});

describe('DataParallelTrainer on wasm (main thread and worker threads)', () => {
  beforeAll(loadWasm);
  afterAll(() => tf.setBackend('cpu'));

  it('ConvNet (4 filters), batch 8, AdaBreg, 2 workers: the weights of one-thread training on wasm', async () => {
    const result = await on('wasm', () =>
      trainBoth({
        build: () => convNet(4, 5),
        sampleShape: [28, 28, 1],
        batchSizes: [8, 8, 8],
        makeOptimizer: optimizers[2]![1],
        workers: 2,
        backend: 'wasm',
      }),
    );
    expectSameTraining(result, 1e-5);
  });
});
