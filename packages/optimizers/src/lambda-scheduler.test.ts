import { GroupL12, L1 } from '@bregman/core-prox';
import { expectAllClose } from '@bregman/test-utils';
import { teacherData } from '@bregman/test-utils/layers';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { AdaBreg } from './ada-breg.js';
import { kernelDensity, sparseMlp } from './fit-model.test-helper.js';
import { LambdaScheduler } from './lambda-scheduler.js';
import { mirrorMap } from './mirror-step.js';
import { rulesForModel } from './rules-for-model.js';
import { linBregOnTinyProblem } from './test-model.test-helper.js';

describe('scaleRegularization keeps v consistent with the new λ', () => {
  it.each([
    ['L1', new L1({ lambda: 0.05 })],
    ['GroupL12', new GroupL12({ lambda: 0.05, reduceAxes: [0] })],
  ])('%s: the weights do not move and prox_{δJ′}(δv′) = θ', async (_n, J) => {
    const { problem, optimizer } = linBregOnTinyProblem(5, J, 20, {
      learningRate: 0.2,
      delta: 1.5,
    });
    const before = problem.params.map((p) => Array.from(p.dataSync()));
    optimizer.scaleRegularization(3);
    expect(problem.params.map((p) => Array.from(p.dataSync()))).toEqual(before);
    expect(optimizer.rules[0]!.regularizer.getConfig().lambda).toBeCloseTo(0.15, 12);
    const state = Object.fromEntries((await optimizer.getWeights()).map((w) => [w.name, w.tensor]));
    for (const p of problem.params.filter((q) => q.name.endsWith('kernel'))) {
      const recovered = tf.tidy(() =>
        Array.from(
          mirrorMap(optimizer.regularizerFor(p.name), state[`${p.name}/v`]!, 1.5).dataSync(),
        ),
      );
      expectAllClose(recovered, Array.from(p.dataSync()), { rtol: 0, atol: 1e-5 });
    }
    optimizer.dispose();
    problem.dispose();
  });
});

describe('LambdaScheduler (discrepancy principle, an extension beyond the paper)', () => {
  it('raises λ while the net is denser than the target and lowers it when sparser', async () => {
    const run = async (targetDensity: number) => {
      const { x, y } = teacherData(8, 256);
      const model = sparseMlp(8, 0.5);
      const optimizer = new AdaBreg({
        learningRate: 0.01,
        rules: rulesForModel(model, { dense: new L1({ lambda: 0.05 }) }),
      });
      model.compile({ optimizer, loss: 'categoricalCrossentropy' });
      const scheduler = new LambdaScheduler({ targetDensity, step: 0.5, warmup: 1 });
      await model.fit(x, y, { epochs: 6, batchSize: 32, verbose: 0, callbacks: [scheduler] });
      const lambda = optimizer.rules[0]!.regularizer.getConfig().lambda;
      const density = kernelDensity(model);
      model.dispose();
      tf.dispose([x, y]);
      return { history: scheduler.history, lambda, density };
    };
    const sparse = await run(0.05);
    expect(sparse.history[0]!.epoch).toBe(1); // warmup 1
    expect(sparse.history[0]!.density).toBeGreaterThan(0.05);
    expect(sparse.history.every((h) => h.factor === 1.5)).toBe(true);
    expect(sparse.lambda).toBeCloseTo(0.05 * 1.5 ** 5, 10);

    const dense = await run(0.99);
    expect(dense.history.every((h) => h.factor === 1 / 1.5)).toBe(true);
    expect(dense.lambda).toBeLessThan(0.05);
    // λ steered the two runs apart
    expect(sparse.density).toBeLessThan(dense.density);
  });

  it('cooldown skips epochs after an adjustment; bad options are errors', async () => {
    const { problem, optimizer } = linBregOnTinyProblem(9, new L1({ lambda: 0.01 }), 1);
    const scheduler = new LambdaScheduler({ targetDensity: 0.01, cooldown: 2, optimizer });
    const decisions = [];
    for (let epoch = 0; epoch < 6; epoch++)
      decisions.push(await scheduler.update(epoch, problem.params));
    expect(decisions.map((d) => d?.factor ?? null)).toEqual([1.1, null, null, 1.1, null, null]);
    expect(() => new LambdaScheduler({ targetDensity: 0 })).toThrow(
      /targetDensity must be a number in \(0, 1\]/,
    );
    expect(() => new LambdaScheduler({ targetDensity: 0.5, step: 0 })).toThrow(
      /step must be a finite number > 0/,
    );
    expect(() => new LambdaScheduler({ targetDensity: 0.5, warmup: 1.5 })).toThrow(
      /warmup must be an integer ≥ 0/,
    );
    optimizer.dispose();
    problem.dispose();
  });
});
