import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
// registers the test layers on the main thread; the threads import it through `modules`
import {
  ExitsInWorker,
  ExitsInWorkerAtStep3,
  ThrowsInWorker,
  ThrowsInWorkerAtStep3,
  ThrowsOnMainAtStep2,
  ThrowsOnUpdate2InWorker,
  Twice,
} from './test-fixtures/custom-layers.mjs';
import { DataParallelTrainer } from './trainer.js';
import { batch, mlp, weightValues } from './trainer.test-helper.js';

const fixture = new URL('./test-fixtures/custom-layers.mjs', import.meta.url).href;
const model = mlp(8, 4);
afterAll(() => model.dispose());

/** An MLP 8-4-10 with `layer` after its first Dense layer. */
function withLayer(layer: tf.layers.Layer): tf.Sequential {
  return tf.sequential({
    layers: [tf.layers.dense({ inputShape: [8], units: 4 }), layer, tf.layers.dense({ units: 10 })],
  });
}

/** Two cpu threads that load the fixture module registering the test layers (and optimizer). */
function withFixtureThreads(
  model: tf.LayersModel,
  optimizer: tf.Optimizer = tf.train.sgd(0.1),
): Promise<DataParallelTrainer> {
  return DataParallelTrainer.create({
    model,
    optimizer,
    loss: 'softmaxCrossEntropy',
    workers: 2,
    backend: 'cpu',
    modules: [fixture],
  });
}

describe('DataParallelTrainer.create refuses bad options, naming them', () => {
  const base = () => ({
    model,
    optimizer: tf.train.sgd(0.1),
    loss: 'softmaxCrossEntropy' as const,
    backend: 'cpu' as const,
  });

  it.each([0, 1.5, -1, Number.NaN])('workers: %s', async (workers) => {
    await expect(DataParallelTrainer.create({ ...base(), workers })).rejects.toThrow(
      /DataParallelTrainer\.create: workers must be an integer ≥ 1, got/,
    );
  });

  it('a loss function, an unknown loss name', async () => {
    const loss = ((a: tf.Tensor, b: tf.Tensor) => tf.losses.meanSquaredError(a, b)) as never;
    await expect(DataParallelTrainer.create({ ...base(), loss })).rejects.toThrow(
      /loss must be a loss name, not a function \(a function cannot be sent to a worker thread\): one of 'softmaxCrossEntropy', 'categoricalCrossentropy', 'meanSquaredError'/,
    );
    await expect(DataParallelTrainer.create({ ...base(), loss: 'hinge' as never })).rejects.toThrow(
      /loss must be one of 'softmaxCrossEntropy', 'categoricalCrossentropy', 'meanSquaredError', got 'hinge'/,
    );
  });

  it('a backend, an optimizer, a model, modules, the options themselves', async () => {
    await expect(
      DataParallelTrainer.create({ ...base(), backend: 'webgl' as never }),
    ).rejects.toThrow(/backend must be 'wasm' or 'cpu', got webgl/);
    await expect(
      DataParallelTrainer.create({ ...base(), optimizer: 'sgd' as never }),
    ).rejects.toThrow(/optimizer must be a tf\.Optimizer/);
    await expect(DataParallelTrainer.create({ ...base(), model: {} as never })).rejects.toThrow(
      /model must be a tf\.LayersModel/,
    );
    const unbuilt = tf.sequential();
    await expect(DataParallelTrainer.create({ ...base(), model: unbuilt })).rejects.toThrow(
      /model has no trainable weights \(build it first/,
    );
    await expect(DataParallelTrainer.create({ ...base(), modules: [3] as never })).rejects.toThrow(
      /modules must be an array of module specifiers/,
    );
    await expect(DataParallelTrainer.create(undefined as never)).rejects.toThrow(
      /options must be an object \{model, optimizer, loss/,
    );
  });
});

describe('DataParallelTrainer: models the worker threads cannot build', () => {
  it('a custom layer no module registers in the threads: the error names it and the `modules` option', async () => {
    class Unregistered extends tf.layers.Layer {
      static className = 'TestUnregistered';
      override call(inputs: tf.Tensor | tf.Tensor[]) {
        return Array.isArray(inputs) ? inputs[0]! : inputs;
      }
    }
    const custom = withLayer(new Unregistered());
    await expect(
      DataParallelTrainer.create({
        model: custom,
        optimizer: tf.train.sgd(0.1),
        loss: 'softmaxCrossEntropy',
        workers: 2,
        backend: 'cpu',
      }),
    ).rejects.toThrow(
      /worker thread 1: could not rebuild the model from model\.toJSON\(\): Unknown layer: TestUnregistered[\s\S]*registered in the thread[\s\S]*`modules` option/,
    );
    custom.dispose();
  });

  it('a module that does not exist', async () => {
    await expect(
      DataParallelTrainer.create({
        model,
        optimizer: tf.train.sgd(0.1),
        loss: 'softmaxCrossEntropy',
        workers: 2,
        backend: 'cpu',
        modules: ['./no-such-module.mjs'],
      }),
    ).rejects.toThrow(/worker thread 1: could not import module 'file:.*no-such-module\.mjs'/);
  });

  it('with the module that registers the layer in `modules`, the threads build it and train', async () => {
    const custom = withLayer(new Twice());
    const trainer = await withFixtureThreads(custom);
    const { x, y } = batch(4, [8], 1);
    const { loss, acc } = await trainer.step(x, y);
    expect(Number.isFinite(loss)).toBe(true);
    expect(acc).toBeGreaterThanOrEqual(0);
    await trainer.dispose();
    tf.dispose([x, y]);
    custom.dispose();
  });
});

describe('DataParallelTrainer: a failing worker thread rejects the step, no hang', () => {
  it.each([
    [
      'throws',
      () => new ThrowsInWorker(),
      /DataParallelTrainer\.step: worker thread 1: boom in the worker/,
    ],
    [
      'exits',
      () => new ExitsInWorker(),
      /DataParallelTrainer\.step: worker thread 1 exited with code 7/,
    ],
  ])('a thread that %s', async (_, layer, message) => {
    const custom = withLayer(layer());
    const trainer = await withFixtureThreads(custom);
    const { x, y } = batch(4, [8], 1);
    await expect(trainer.step(x, y)).rejects.toThrow(message);
    await expect(trainer.step(x, y)).rejects.toThrow(
      /a previous step failed, the trainer cannot go on/,
    );
    await trainer.dispose();
    await trainer.dispose(); // twice: nothing happens
    await expect(trainer.step(x, y)).rejects.toThrow(/the trainer was disposed/);
    tf.dispose([x, y]);
    custom.dispose();
  });
});

describe('DataParallelTrainer: a thread that fails after steps that went well', () => {
  it.each([
    [
      'throws',
      () => new ThrowsInWorkerAtStep3(),
      /DataParallelTrainer\.step: worker thread 1: boom at step 3/,
    ],
    [
      'exits',
      () => new ExitsInWorkerAtStep3(),
      /DataParallelTrainer\.step: worker thread 1 exited with code 9/,
    ],
  ])(
    'a thread that %s at step 3: that step rejects, no hang, later steps refuse',
    async (_, layer, message) => {
      const custom = withLayer(layer());
      const trainer = await withFixtureThreads(custom);
      const { x, y } = batch(4, [8], 1);
      await trainer.step(x, y);
      await trainer.step(x, y);
      await expect(trainer.step(x, y)).rejects.toThrow(message);
      await expect(trainer.step(x, y)).rejects.toThrow(/a previous step failed/);
      await trainer.dispose();
      tf.dispose([x, y]);
      custom.dispose();
    },
  );

  it('a thread whose update throws at step 2 (after the sum): step 2 resolves on the main thread, the next call rejects with the error', async () => {
    const model = withLayer(new Twice());
    const trainer = await withFixtureThreads(model, new ThrowsOnUpdate2InWorker(0.1));
    const { x, y } = batch(4, [8], 3);
    await trainer.step(x, y);
    await trainer.step(x, y);
    await expect(trainer.step(x, y)).rejects.toThrow(
      /DataParallelTrainer\.step: worker thread 1: boom in the update/,
    );
    await expect(trainer.step(x, y)).rejects.toThrow(/a previous step failed/);
    await trainer.dispose();
    tf.dispose([x, y]);
    model.dispose();
  });

  it("the main thread's shard throws: the step rejects with its error, no thread applies it, the trainer goes on", async () => {
    const custom = withLayer(new ThrowsOnMainAtStep2());
    const trainer = await withFixtureThreads(custom);
    const { x, y } = batch(4, [8], 2);
    await trainer.step(x, y);
    const before = weightValues(custom).map((w) => w.slice());
    await expect(trainer.step(x, y)).rejects.toThrow(/boom on the main thread/);
    expect(weightValues(custom)).toEqual(before);
    const replica = (await trainer.replicaWeights())[0]!;
    expect(Object.values(replica)).toEqual(before);
    await trainer.step(x, y);
    const after = weightValues(custom);
    expect(after).not.toEqual(before);
    expect(Object.values((await trainer.replicaWeights())[0]!)).toEqual(after);
    await trainer.dispose();
    tf.dispose([x, y]);
    custom.dispose();
  });
});

describe('DataParallelTrainer.step refuses bad batches (one thread)', () => {
  it('mismatched samples, wrong shapes, wrong dtypes, overlapping steps', async () => {
    const trainer = await DataParallelTrainer.create({
      model,
      optimizer: tf.train.sgd(0.1),
      loss: 'softmaxCrossEntropy',
      workers: 1,
    });
    const { x, y } = batch(4, [8], 1);
    const { x: x3 } = batch(3, [8], 1);
    const { x: wide } = batch(4, [9], 1);
    await expect(trainer.step(x3, y)).rejects.toThrow(
      /x and y must have the same number of samples/,
    );
    await expect(trainer.step(wide, y)).rejects.toThrow(
      /x has shape \[4,9\], the model takes \[null,8\]/,
    );
    await expect(trainer.step(x, x)).rejects.toThrow(
      /y has shape \[4,8\], the model gives \[null,10\]/,
    );
    await expect(trainer.step(tf.cast(x, 'bool') as tf.Tensor, y)).rejects.toThrow(
      /x must be a float32 or int32 tensor, got bool/,
    );
    await expect(trainer.step({ values: new Float32Array(31), shape: [4, 8] }, y)).rejects.toThrow(
      /x\.shape \[4,8\] must describe at least one sample and all 31 values/,
    );
    await expect(trainer.step([1, 2] as never, y)).rejects.toThrow(
      /x must be a tf\.Tensor or \{values/,
    );
    const first = trainer.step(x, y);
    await expect(trainer.step(x, y)).rejects.toThrow(/a step is still running \(await it first\)/);
    await first;
    // typed arrays work as well as tensors
    const logs = await trainer.step(
      { values: x.dataSync() as Float32Array, shape: [4, 8] },
      { values: y.dataSync() as Float32Array, shape: [4, 10] },
    );
    expect(Number.isFinite(logs.loss)).toBe(true);
    await trainer.dispose();
    tf.dispose([x, y, x3, wide]);
  });
});
