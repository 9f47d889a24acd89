import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { MethodSpec, OptimizerSpec, RunSpec } from '../shared/spec.js';
import { tinySpec } from '../shared/test-spec.test-helper.js';
import { buildModel, buildOptimizer } from './build.js';
import {
  prefersDataParallel,
  singleThreadReason,
  startParallelTraining,
} from './parallel-training.js';

/** One method per optimizer kind (a new kind fails to compile here until it is listed). */
const EVERY_OPTIMIZER: Record<OptimizerSpec['kind'], MethodSpec> = {
  sgd: {
    id: 'sgd',
    label: 'SGD',
    optimizer: { kind: 'sgd', learningRate: 0.1 },
    regularization: {},
  },
  adam: {
    id: 'adam',
    label: 'Adam',
    optimizer: { kind: 'adam', learningRate: 1e-3 },
    regularization: {},
  },
  momentum: {
    id: 'momentum',
    label: 'Momentum',
    optimizer: { kind: 'momentum', learningRate: 0.1, momentum: 0.9 },
    regularization: {},
  },
  linbreg: {
    id: 'linbreg',
    label: 'LinBreg',
    optimizer: { kind: 'linbreg', learningRate: 0.1, momentum: 0.9 },
    regularization: { dense: { type: 'L1', lambda: 0.01 } },
  },
  adabreg: {
    id: 'adabreg',
    label: 'AdaBreg',
    optimizer: { kind: 'adabreg', learningRate: 0.01 },
    regularization: { dense: { type: 'L1', lambda: 0.01 } },
  },
  proxgd: {
    id: 'proxgd',
    label: 'ProxGD',
    optimizer: { kind: 'proxgd', learningRate: 0.1 },
    regularization: { dense: { type: 'L1', lambda: 1e-4 } },
  },
};

describe('startParallelTraining', () => {
  it('starts 2 threads for every optimizer kind the experiments use (their classes are registered in the threads)', async () => {
    await tf.setBackend('cpu');
    for (const method of Object.values(EVERY_OPTIMIZER)) {
      const spec = tinySpec(method);
      expect(singleThreadReason(spec), method.id).toBeNull();
      const model = buildModel(spec, { mean: [0], std: [1] });
      const optimizer = buildOptimizer(spec, model);
      const trainer = await startParallelTraining(spec, { model, optimizer }, 2);
      expect(trainer, method.id).not.toBeNull();
      await trainer?.dispose();
      optimizer.dispose();
      model.dispose();
    }
  });

  it('one thread, or a method with a penalty or pruning, trains without worker threads', async () => {
    const spec = tinySpec(EVERY_OPTIMIZER.sgd);
    const model = buildModel(spec, { mean: [0], std: [1] });
    const optimizer = buildOptimizer(spec, model);
    expect(await startParallelTraining(spec, { model, optimizer }, 1)).toBeNull();
    const lasso = tinySpec({
      ...EVERY_OPTIMIZER.sgd,
      penalty: { dense: { type: 'L1', lambda: 1e-3 } },
    });
    expect(singleThreadReason(lasso)).toBe('its method adds a penalty to the loss');
    expect(await startParallelTraining(lasso, { model, optimizer }, 2)).toBeNull();
    optimizer.dispose();
    model.dispose();
  });
});

describe('prefersDataParallel', () => {
  it('the convolutional models train data parallel, the MLPs on the backend’s threads', () => {
    const spec = tinySpec(EVERY_OPTIMIZER.sgd);
    const model = (m: RunSpec['model']): RunSpec => ({ ...spec, model: m });
    const init = { density: 1, variance: 'he' } as const;
    const mlp = model({ kind: 'mlp', sizes: [784, 200, 80, 10], init });
    const denoiser = model({ kind: 'denoiser', width: 784, hiddenLayers: 5, init });
    const convNet = model({ kind: 'convNet', init });
    const resnet = model({ kind: 'resnet18', init });
    for (const s of [convNet, resnet]) expect(prefersDataParallel(s, 2)).toBe(true);
    for (const s of [mlp, denoiser]) expect(prefersDataParallel(s, 2)).toBe(false);
    // a backend without threads of its own: replicas for every model
    for (const s of [mlp, denoiser, convNet, resnet]) expect(prefersDataParallel(s, 1)).toBe(true);
  });
});
