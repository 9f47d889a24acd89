import { GroupL12, L1 } from '@bregman/core-prox';
import { expectAllClose } from '@bregman/test-utils';
import { teacherData } from '@bregman/test-utils/layers';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { AdaBreg } from './ada-breg.js';
import { DensityController } from './density-controller.js';
import { kernelDensity, sparseMlp } from './fit-model.test-helper.js';
import { LinBreg } from './lin-breg.js';
import { mirrorMap } from './mirror-step.js';
import { rulesForModel } from './rules-for-model.js';
import { linBregOnTinyProblem } from './test-model.test-helper.js';

/** Fraction of non-zero entries of the variables whose names match `pattern`. */
function densityOf(params: readonly tf.Variable[], pattern: RegExp): number {
  const values = params
    .filter((p) => pattern.test(p.name))
    .flatMap((p) => Array.from(p.dataSync()));
  return values.filter((v) => v !== 0).length / values.length;
}

/** Each regularizer with a factor of λ large enough to remove some of its weights. */
const REGULARIZERS = [
  ['L1', new L1({ lambda: 0.02 }), 3],
  ['GroupL12', new GroupL12({ lambda: 0.1, reduceAxes: [0] }), 20],
] as const;

/** The tiny problem after 30 LinBreg steps (δ = 1.5) with `J` on its kernels, and the state. */
async function trainedWith(J: L1 | GroupL12, seed: number) {
  const { problem, optimizer } = linBregOnTinyProblem(seed, J, 30, {
    learningRate: 0.2,
    delta: 1.5,
  });
  const kernels = problem.params.filter((p) => p.name.endsWith('kernel'));
  const state = Object.fromEntries((await optimizer.getWeights()).map((w) => [w.name, w.tensor]));
  return { problem, optimizer, kernels, state };
}

describe("scaleRuleRegularization(factors, 'subgradient'): v stays, θ = prox of the new λ", () => {
  it.each(REGULARIZERS)(
    '%s: raising λ removes weights now, lowering it brings them back; weights move ≤ δ·Δλ·√n',
    async (_n, J, factor) => {
      const { problem, optimizer, kernels, state } = await trainedWith(J, 11);
      const vBefore = kernels.map((k) => Array.from(state[`${k.name}/v`]!.dataSync()));
      const thetaBefore = kernels.map((k) => Array.from(k.dataSync()));
      const densityBefore = densityOf(problem.params, /kernel$/);

      const lambda = J.getConfig().lambda as number;
      optimizer.scaleRuleRegularization([factor], 'subgradient');
      expect(optimizer.rules[0]!.regularizer.getConfig().lambda).toBeCloseTo(factor * lambda, 12);
      // v did not move; θ is the prox of the new J at δv
      kernels.forEach((k, i) => {
        expect(Array.from(state[`${k.name}/v`]!.dataSync())).toEqual(vBefore[i]);
        const expected = tf.tidy(() =>
          Array.from(
            mirrorMap(optimizer.regularizerFor(k.name), state[`${k.name}/v`]!, 1.5).dataSync(),
          ),
        );
        expectAllClose(Array.from(k.dataSync()), expected, { rtol: 0, atol: 0 });
        // a weight moves by at most δ·Δλ (·√n_g for a group of the kernel's fan-in)
        const bound =
          1.5 * (factor - 1) * lambda * (J instanceof GroupL12 ? Math.sqrt(k.shape[0]!) : 1) + 1e-6;
        for (const [j, w] of k.dataSync().entries()) {
          expect(Math.abs(w - thetaBefore[i]![j]!)).toBeLessThanOrEqual(bound);
        }
      });
      const raised = densityOf(problem.params, /kernel$/);
      expect(raised).toBeLessThan(densityBefore);

      optimizer.scaleRuleRegularization([1 / factor], 'subgradient');
      // back to the old λ with the same v: the old weights
      for (const [i, k] of kernels.entries()) {
        expectAllClose(Array.from(k.dataSync()), thetaBefore[i]!, { rtol: 0, atol: 1e-6 });
      }
      expect(densityOf(problem.params, /kernel$/)).toBe(densityBefore);
      optimizer.dispose();
      problem.dispose();
    },
  );

  it.each(REGULARIZERS)(
    "%s, keep: 'survivors': the support of 'subgradient', the surviving weights unchanged, v consistent",
    async (_n, J, factor) => {
      const { problem, optimizer, kernels, state } = await trainedWith(J, 15);
      const lambda = J.getConfig().lambda as number;
      const raised =
        J.constructor === L1
          ? new L1({ lambda: factor * lambda })
          : new GroupL12({ lambda: factor * lambda, reduceAxes: [0] });
      const before = kernels.map((k) => Array.from(k.dataSync()));
      const support = kernels.map((k) =>
        tf.tidy(() =>
          Array.from(mirrorMap(raised, state[`${k.name}/v`]!, 1.5).dataSync(), (w) => w !== 0),
        ),
      );
      optimizer.scaleRuleRegularization([factor], 'survivors');
      let pruned = 0;
      kernels.forEach((k, i) => {
        const after = Array.from(k.dataSync());
        after.forEach((w, j) => {
          expect(w !== 0, `${k.name}[${j}] in the support`).toBe(support[i]![j]);
          if (w !== 0 && before[i]![j] !== 0) expect(w).toBe(before[i]![j]); // survivors keep their value
          if (w === 0 && before[i]![j] !== 0) pruned++;
        });
        // θ is still prox_{δJ'}(δv) of the new v
        const recovered = tf.tidy(() =>
          Array.from(
            mirrorMap(optimizer.regularizerFor(k.name), state[`${k.name}/v`]!, 1.5).dataSync(),
          ),
        );
        expectAllClose(recovered, after, { rtol: 0, atol: 1e-5 });
      });
      expect(pruned).toBeGreaterThan(0);
      optimizer.dispose();
      problem.dispose();
    },
  );

  it('factors are per rule (1 leaves a rule alone); bad factors are errors that say what is allowed', () => {
    const { problem, optimizer } = linBregOnTinyProblem(
      12,
      [
        { match: /dense1\/kernel$/, regularizer: new L1({ lambda: 0.01 }) },
        { match: /kernel$/, regularizer: new L1({ lambda: 0.03 }) },
      ],
      1,
    );
    optimizer.scaleRuleRegularization([1, 2], 'subgradient');
    expect(optimizer.rules.map((r) => r.regularizer.getConfig().lambda)).toEqual([0.01, 0.06]);
    expect(() => optimizer.scaleRuleRegularization([2], 'subgradient')).toThrow(
      'LinBreg.scaleRuleRegularization: factors must be an array of one factor per rule (2), got 1 factors',
    );
    expect(() => optimizer.scaleRuleRegularization([1, 0])).toThrow(
      'LinBreg.scaleRuleRegularization: factors[1] must be a finite number > 0, got 0',
    );
    expect(() =>
      optimizer.scaleRuleRegularization([1, 1], 'theta' as unknown as 'weights'),
    ).toThrow("keep must be 'weights', 'subgradient' or 'survivors', got theta");
    optimizer.dispose();
    problem.dispose();
  });
});

describe('DensityController (an extension beyond the paper)', () => {
  /** An MLP fitted with LinBreg or AdaBreg from a λ far off, under a controller. */
  async function fitUnder(make: 'linbreg' | 'adabreg', targetDensity: number, lambda: number) {
    const { x, y } = teacherData(8, 256);
    const model = sparseMlp(8, 0.3);
    const rules = rulesForModel(model, { dense: new L1({ lambda }) });
    const optimizer =
      make === 'linbreg'
        ? new LinBreg({ learningRate: 0.1, rules })
        : new AdaBreg({ learningRate: 0.01, rules });
    model.compile({ optimizer, loss: 'categoricalCrossentropy' });
    const controller = new DensityController({ targetDensity, tolerance: 0.05 });
    await model.fit(x, y, { epochs: 4, batchSize: 32, verbose: 0, callbacks: [controller] });
    const density = kernelDensity(model);
    const lambdaEnd = optimizer.rules[0]!.regularizer.getConfig().lambda as number;
    const rulesLambdas = optimizer.rules.map((r) => r.regularizer.getConfig().lambda as number);
    model.dispose();
    tf.dispose([x, y]);
    return { history: controller.history, density, lambda: lambdaEnd, rulesLambdas };
  }

  it.each(['linbreg', 'adabreg'] as const)(
    '%s: a too-dense net (λ too small) is trimmed to the target, a too-sparse one (λ too large) grown to it',
    async (make) => {
      const dense = await fitUnder(make, 0.2, 1e-4);
      expect(dense.history).toHaveLength(4);
      // one number: both Dense kernels' rules moved together, by one factor
      expect(dense.history[0]!.adjustments.map((a) => a.rules)).toEqual([[0, 1]]);
      expect(dense.rulesLambdas[0]! / dense.rulesLambdas[1]!).toBeCloseTo(1, 12);
      expect(dense.history[0]!.adjustments[0]!.before).toBeGreaterThan(0.2 * 1.05);
      expect(dense.history[0]!.adjustments[0]!.factor).toBeGreaterThan(1);
      expect(dense.lambda).toBeGreaterThan(1e-4);
      // right after the last adjustment the model has the target density
      const last = dense.history.at(-1)!.adjustments[0]!;
      expect(Math.abs(last.after / 0.2 - 1)).toBeLessThanOrEqual(0.05);
      expect(Math.abs(dense.density / 0.2 - 1)).toBeLessThanOrEqual(0.05);

      const sparse = await fitUnder(make, 0.6, 0.5);
      expect(sparse.history[0]!.adjustments[0]!.before).toBeLessThan(0.6);
      expect(sparse.history[0]!.adjustments[0]!.factor).toBeLessThan(1);
      expect(sparse.lambda).toBeLessThan(0.5);
      expect(sparse.density).toBeGreaterThan(dense.density);
    },
  );

  it('a far target is approached in steps of maxDensityChange; everyBatches adjusts within epochs; warmup waits', async () => {
    const { problem, optimizer } = linBregOnTinyProblem(13, new L1({ lambda: 1e-6 }), 5);
    const controller = new DensityController({ targetDensity: 0.01, optimizer });
    const tensorsBefore = tf.memory().numTensors;
    const first = (await controller.adjust()).adjustments[0]!;
    expect(tf.memory().numTensors).toBe(tensorsBefore); // nothing left behind
    expect(first.before).toBe(1);
    // halfway (the default maxDensityChange 2), from the sparse side, within the tolerance
    expect(first.after).toBeLessThanOrEqual(0.5);
    expect(first.after).toBeGreaterThanOrEqual(0.5 * 0.95);
    expect(first.factor).toBeGreaterThan(1);
    const second = (await controller.adjust()).adjustments[0]!;
    expect(second.after).toBeLessThanOrEqual(first.after / 2);
    const allTheWay = new DensityController({
      targetDensity: 0.25,
      maxDensityChange: Number.POSITIVE_INFINITY,
      optimizer,
    });
    expect(
      Math.abs((await allTheWay.adjust()).adjustments[0]!.after / 0.25 - 1),
    ).toBeLessThanOrEqual(0.05);
    optimizer.dispose();
    problem.dispose();

    const { x, y } = teacherData(9, 128);
    const model = sparseMlp(9, 0.3);
    model.compile({
      optimizer: new LinBreg({
        learningRate: 0.1,
        rules: rulesForModel(model, { dense: new L1({ lambda: 1e-3 }) }),
      }),
      loss: 'categoricalCrossentropy',
    });
    const batches = new DensityController({ targetDensity: 0.1, everyBatches: 2, warmup: 1 });
    await model.fit(x, y, { epochs: 2, batchSize: 32, verbose: 0, callbacks: [batches] });
    // epoch 0 is warmup; epoch 1: after batches 1 and 3, and at its end
    expect(batches.history.map((h) => [h.epoch, h.batch])).toEqual([
      [1, 1],
      [1, 3],
      [1, null],
    ]);
    model.dispose();
    tf.dispose([x, y]);
  });

  it('targets per rule (null: left alone); bad options are errors that say what is allowed', async () => {
    const { problem, optimizer } = linBregOnTinyProblem(
      14,
      [
        { match: /dense1\/kernel$/, regularizer: new L1({ lambda: 1e-5 }) },
        { match: /kernel$/, regularizer: new L1({ lambda: 1e-5 }) },
      ],
      5,
    );
    const controller = new DensityController({ targetDensity: [null, 0.3], optimizer });
    const record = await controller.adjust();
    expect(record.adjustments.map((a) => a.rules)).toEqual([[1]]);
    expect(optimizer.rules[0]!.regularizer.getConfig().lambda).toBe(1e-5);
    await expect(
      new DensityController({ targetDensity: [0.3], optimizer }).adjust(),
    ).rejects.toThrow(
      'DensityController: targetDensity has 1 entries but the optimizer has 2 rules (one target, or null, per rule)',
    );
    expect(() => new DensityController({ targetDensity: 0 })).toThrow(
      'DensityController: targetDensity must be a number in (0, 1], got 0',
    );
    expect(() => new DensityController({ targetDensity: 0.1, maxDensityChange: 1 })).toThrow(
      'DensityController: maxDensityChange must be a number > 1 (Infinity: no limit), got 1',
    );
    expect(() => new DensityController({ targetDensity: 0.1, everyBatches: 0 })).toThrow(
      'everyBatches must be an integer ≥ 1, got 0',
    );
    expect(() => new DensityController({ targetDensity: 0.1, tolerance: 1 })).toThrow(
      'DensityController: tolerance must be a number in [0, 1), got 1',
    );
    await expect(new DensityController({ targetDensity: 0.1 }).adjust()).rejects.toThrow(
      'DensityController needs a LinBreg or AdaBreg optimizer',
    );
    optimizer.dispose();
    problem.dispose();
  });
});
