// Every thread holds a replica of the model and of the optimizer, and they stay equal: after
// each step, after changes made on the main thread between steps, after a restored state.
import { L1 } from '@bregman/core-prox';
import { AdaBreg, LinBreg, renameOptimizerWeights, rulesForModel } from '@bregman/optimizers';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { relativeError } from '../backends.test-helper.js';
import { NonFiniteLossError } from './non-finite-loss.js';
import { DataParallelTrainer } from './trainer.js';
import {
  batch,
  copyOf,
  mlp,
  OPTIMIZERS_MODULE,
  trainerOptions,
  weightValues,
} from './trainer.test-helper.js';

const adaBreg = (model: tf.LayersModel, lambda = 0.5) =>
  new AdaBreg({
    learningRate: 1e-3,
    rules: rulesForModel(model, { dense: new L1({ lambda }) }),
  });

const linBregWithMomentum = (model: tf.LayersModel) =>
  new LinBreg({
    learningRate: 0.1,
    momentum: 0.9,
    rules: rulesForModel(model, { dense: new L1({ lambda: 0.1 }) }),
  });

/** The replicas' weights, in the main model's `weights` order. */
async function replicaValues(trainer: DataParallelTrainer): Promise<Float32Array[][]> {
  const names = trainer.model.weights.map((w) => w.name);
  return (await trainer.replicaWeights()).map((r) => names.map((n) => r[n]!));
}

function expectBitwise(actual: Float32Array[], expected: Float32Array[]): void {
  expected.forEach((w, i) => {
    expect(Array.from(actual[i]!), `weight ${i}`).toEqual(Array.from(w));
  });
}

/** The first replica holds the main model's weights, bit for bit. */
async function expectReplicaIsModel(
  trainer: DataParallelTrainer,
  model: tf.LayersModel,
): Promise<void> {
  const [replica] = await replicaValues(trainer);
  expectBitwise(replica!, weightValues(model));
}

/** `model`'s weights are `reference`'s to 1e-5 (normwise relative error), weight by weight. */
function expectNear(model: tf.LayersModel, reference: tf.LayersModel, at = ''): void {
  weightValues(reference).forEach((expected, k) => {
    expect(relativeError(weightValues(model)[k]!, expected), `${at}weight ${k}`).toBeLessThan(1e-5);
  });
}

/** `from`'s optimizer state, renamed for `to`'s variables (the same architecture). */
async function stateFor(optimizer: tf.Optimizer, from: tf.LayersModel, to: tf.LayersModel) {
  const names = Object.fromEntries(from.weights.map((w, i) => [w.name, to.weights[i]!.name]));
  return renameOptimizerWeights(await optimizer.getWeights(), names);
}

/** One step of `optimizer` on the reference model, as one thread would take it. */
function referenceStep(
  reference: tf.LayersModel,
  optimizer: tf.Optimizer,
  x: tf.Tensor,
  y: tf.Tensor,
): void {
  optimizer
    .minimize(
      () => tf.losses.softmaxCrossEntropy(y, reference.apply(x, { training: true }) as tf.Tensor),
      true,
    )
    ?.dispose();
}

/** A batch of 8 (`seed`): a step of the trainer, and the same step on the reference. */
async function stepBoth(
  trainer: DataParallelTrainer,
  reference: tf.LayersModel,
  referenceOptimizer: tf.Optimizer,
  seed: number,
): Promise<void> {
  const { x, y } = batch(8, [784], seed);
  await trainer.step(x, y);
  referenceStep(reference, referenceOptimizer, x, y);
  tf.dispose([x, y]);
}

describe('DataParallelTrainer: replicas of the model and the optimizer (cpu, 3 workers)', () => {
  it('after every AdaBreg step each replica holds the main model’s weights, bit for bit', async () => {
    const model = mlp(784, 16);
    const trainer = await DataParallelTrainer.create(
      trainerOptions(model, adaBreg(model), { workers: 3 }),
    );
    for (let i = 0; i < 3; i++) {
      const { x, y } = batch(10, [784], 30 + i);
      await trainer.step(x, y);
      tf.dispose([x, y]);
      for (const replica of await replicaValues(trainer))
        expectBitwise(replica, weightValues(model));
    }
    await trainer.dispose();
    model.dispose();
  });

  it('changes made on the main thread between steps reach the replicas: setWeights, the learning rate, λ, the optimizer’s state', async () => {
    const model = mlp(784, 16);
    const reference = copyOf(model, () => mlp(784, 16));
    const optimizer = adaBreg(model);
    const referenceOptimizer = adaBreg(reference);
    const trainer = await DataParallelTrainer.create(trainerOptions(model, optimizer));
    const change: ((m: tf.LayersModel, o: AdaBreg) => void | Promise<void>)[] = [
      () => {},
      // a callback that rescales the weights
      (m) => m.setWeights(m.getWeights().map((w) => tf.mul(w, 0.9))),
      // a learning-rate schedule
      (_, o) => {
        o.learningRate = 5e-4;
      },
      // a λ schedule
      (_, o) => o.scaleRegularization(2),
    ];
    for (const [i, changeBoth] of change.entries()) {
      await changeBoth(model, optimizer);
      await changeBoth(reference, referenceOptimizer);
      await stepBoth(trainer, reference, referenceOptimizer, 40 + i);
      await expectReplicaIsModel(trainer, model);
      expectNear(model, reference, `step ${i}, `);
    }
    // the optimizer's state replaced (a checkpoint restored) between steps
    await optimizer.setWeights(await stateFor(referenceOptimizer, reference, model));
    model.setWeights(reference.getWeights());
    await stepBoth(trainer, reference, referenceOptimizer, 50);
    await expectReplicaIsModel(trainer, model);
    expectNear(model, reference);
    await trainer.dispose();
    tf.dispose([model, reference].flatMap((m) => m.weights.map((w) => w.read())));
    optimizer.dispose();
    referenceOptimizer.dispose();
  });

  it('an optimizer with state (trained before, e.g. restored) continues as on one thread', async () => {
    const model = mlp(784, 16);
    const optimizer = linBregWithMomentum(model);
    const warm = batch(8, [784], 60);
    referenceStep(model, optimizer, warm.x, warm.y);
    tf.dispose([warm.x, warm.y]);
    const reference = copyOf(model, () => mlp(784, 16));
    const referenceOptimizer = linBregWithMomentum(reference);
    await referenceOptimizer.setWeights(await stateFor(optimizer, model, reference));
    const trainer = await DataParallelTrainer.create(trainerOptions(model, optimizer));
    for (let i = 0; i < 2; i++) await stepBoth(trainer, reference, referenceOptimizer, 61 + i);
    expectNear(model, reference);
    await expectReplicaIsModel(trainer, model);
    await trainer.dispose();
  });
});

it('a NaN loss on one shard: NonFiniteLossError, no thread applies the step, the trainer goes on', async () => {
  const model = mlp(784, 16);
  const trainer = await DataParallelTrainer.create(trainerOptions(model, adaBreg(model)));
  const before = weightValues(model).map((w) => w.slice());
  const { x, y } = batch(8, [784], 70);
  const values = x.dataSync().slice();
  values[7 * 784] = Number.NaN; // the last sample: the worker thread's shard
  const poisoned = tf.tensor(values, x.shape);
  const error = await trainer.step(poisoned, y).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(NonFiniteLossError);
  expect((error as NonFiniteLossError).message).toMatch(
    /the loss is NaN \(NaN on the shard of worker thread 1\); the trainable weights were not updated/,
  );
  expectBitwise(weightValues(model), before);
  expectBitwise((await replicaValues(trainer))[0]!, before);
  await trainer.step(x, y);
  expectBitwise((await replicaValues(trainer))[0]!, weightValues(model));
  tf.dispose([x, y, poisoned]);
  await trainer.dispose();
  model.dispose();
});

describe('DataParallelTrainer.create: optimizers the threads cannot rebuild', () => {
  const model = mlp(8, 4);
  const options = (optimizer: tf.Optimizer, modules: string[] = []) =>
    trainerOptions(model, optimizer, { modules });

  it('a class no module registers in the threads: the error names it and the `modules` option', async () => {
    class MainThreadSgd extends tf.SGDOptimizer {
      static override className = 'MainThreadSgd';
    }
    tf.serialization.registerClass(MainThreadSgd); // here only, not in the threads
    await expect(DataParallelTrainer.create(options(new MainThreadSgd(0.1)))).rejects.toThrow(
      /worker thread 1: cannot rebuild the optimizer: its class 'MainThreadSgd' is not registered in the thread; list the module that registers it in the `modules` option/,
    );
  });

  it('LinBreg and AdaBreg need no `modules`: every thread has them', async () => {
    const trainer = await DataParallelTrainer.create(options(new LinBreg({ learningRate: 0.1 })));
    await trainer.dispose();
  });

  it('a class registered nowhere', async () => {
    class MySgd extends tf.SGDOptimizer {
      static override className = 'MySgdNeverRegistered';
    }
    await expect(DataParallelTrainer.create(options(new MySgd(0.1)))).rejects.toThrow(
      /optimizer: the worker threads rebuild the optimizer from its class name and getConfig\(\), and 'MySgdNeverRegistered' is not registered/,
    );
  });

  it('rules that match the model’s variable names but not a replica’s', async () => {
    // a second model with the same layer names in this engine: its variables carry tfjs's
    // `_<n>` suffix, a replica's (built alone in its thread) do not
    const named = () =>
      tf.sequential({
        layers: [
          tf.layers.dense({ name: 'hidden', inputShape: [8], units: 4 }),
          tf.layers.dense({ name: 'logits', units: 10 }),
        ],
      });
    const first = named();
    const second = named();
    const kernel = second.trainableWeights[0]!.name;
    expect(kernel).toMatch(/_\d+$/);
    const optimizer = new LinBreg({
      learningRate: 0.1,
      rules: [{ match: kernel, regularizer: new L1({ lambda: 0.1 }) }],
    });
    await expect(
      DataParallelTrainer.create({ ...options(optimizer, OPTIMIZERS_MODULE), model: second }),
    ).rejects.toThrow(
      /the optimizer rebuilt in the thread gives variable '.*' the regularizer .* the main thread's gives .*L1/,
    );
    first.dispose();
    second.dispose();
  });

  it('a main thread on another backend than the threads', async () => {
    await expect(
      DataParallelTrainer.create({ ...options(tf.train.sgd(0.1)), backend: 'wasm' }),
    ).rejects.toThrow(
      /backend is 'wasm' but the main thread runs 'cpu': every thread applies the same step to its own copy of the weights/,
    );
  });
});
