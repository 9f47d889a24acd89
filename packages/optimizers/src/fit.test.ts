import { L1 } from '@bregman/core-prox';
import { teacherData } from '@bregman/test-utils/layers';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { AdaBreg } from './ada-breg.js';
import { kernelDensity, sparseMlp } from './fit-model.test-helper.js';
import { LinBreg } from './lin-breg.js';
import { rulesForModel } from './rules-for-model.js';

describe('model.fit with a Bregman optimizer', () => {
  it('AdaBreg + rulesForModel: starts sparse, grows, and learns', async () => {
    const { x, y } = teacherData();
    const model = sparseMlp();
    const optimizer = new AdaBreg({
      learningRate: 0.01,
      rules: rulesForModel(model, { dense: new L1({ lambda: 0.3 }) }),
    });
    model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const densities = [kernelDensity(model)];
    const history = await model.fit(x, y, {
      epochs: 15,
      batchSize: 32,
      verbose: 0,
      callbacks: { onEpochEnd: async () => void densities.push(kernelDensity(model)) },
    });
    const accuracy = history.history.acc as number[];
    expect(densities[0]).toBeGreaterThan(0.1);
    expect(densities[0]).toBeLessThan(0.3); // the sparse init (r = 0.2)
    expect(densities.at(-1)!).toBeGreaterThan(densities[0]!); // it grew…
    expect(densities.at(-1)!).toBeLessThan(0.6); // …but stayed sparse
    expect(accuracy.at(-1)!).toBeGreaterThan(0.9); // chance is 0.25
    // biases are not regularized: no rule matches them
    for (const w of model.trainableWeights) {
      const J = optimizer.regularizerFor(w.name).getConfig().type;
      expect(J).toBe(w.originalName.endsWith('/kernel') ? 'L1' : 'None');
    }
    optimizer.dispose();
    model.dispose();
    tf.dispose([x, y]);
  });

  it('LinBreg with a large λ keeps the network sparser than with a small one', async () => {
    const final: number[] = [];
    for (const lambda of [1e-3, 1]) {
      const { x, y } = teacherData();
      const model = sparseMlp();
      model.compile({
        optimizer: new LinBreg({
          learningRate: 0.1,
          rules: rulesForModel(model, { dense: new L1({ lambda }) }),
        }),
        loss: 'categoricalCrossentropy',
      });
      await model.fit(x, y, { epochs: 5, batchSize: 32, verbose: 0 });
      final.push(kernelDensity(model));
      model.dispose();
      tf.dispose([x, y]);
    }
    expect(final[1]!).toBeLessThan(final[0]!);
  });
});
