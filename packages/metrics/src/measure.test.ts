import { GroupL12, L1 } from '@bregman/core-prox';
import { tensorReads } from '@bregman/test-utils';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { bregmanDistanceTo } from './bregman-distance-to.js';
import { l1Norm } from './l1-norm.js';
import { measure } from './measure.js';
import { convNet } from './models.test-helper.js';
import { snapshotWeights } from './reference.js';
import { regularizerValue } from './regularizer-value.js';
import { sparsity } from './sparsity.js';

const rules = [
  { match: /conv2d.*kernel$/, regularizer: new GroupL12({ lambda: 0.3, reduceAxes: [0, 1] }) },
  { match: /dense.*kernel$/, regularizer: new L1({ lambda: 0.1 }) },
];

describe('measure: every metric with one read', () => {
  it('equals the single-purpose functions', async () => {
    const model = convNet();
    const reference = convNet();
    tf.tidy(() => {
      reference.setWeights(
        reference.getWeights().map((w, i) => tf.randomNormal(w.shape, 0, 1, 'float32', i)),
      );
    });
    const all = await measure(model, { rules, reference, delta: 2 });
    expect(all.sparsity).toEqual(sparsity(model));
    expect(all.l1Norm).toBe(l1Norm(model));
    expect(all.regularizer).toBe(regularizerValue(model, rules));
    expect(all.bregmanDistance).toBe(bregmanDistanceTo(model, reference, rules, { delta: 2 }));
    // without rules and reference: only what needs neither
    expect(Object.keys(await measure(model)).sort()).toEqual(['l1Norm', 'sparsity']);
    // a reference without rules: J = 0, so only the elastic-net term ‖θ − θ_ref‖²/(2δ) is left
    expect((await measure(model, { reference, delta: 2 })).bregmanDistance).toBe(
      bregmanDistanceTo(model, reference, [], { delta: 2 }),
    );
    model.dispose();
    reference.dispose();
  });

  it('one asynchronous data() call, no dataSync, no tensors left', async () => {
    const model = convNet();
    const snapshot = snapshotWeights(model);
    const { result, reads, newTensors } = await tensorReads(() =>
      measure(model, { rules, reference: snapshot, delta: 1 }),
    );
    expect(reads).toEqual({ data: 1, dataSync: 0, arraySync: 0, array: 0 });
    expect(result.bregmanDistance).toBe(0);
    expect(newTensors).toBe(0);
    tf.dispose(snapshot);
    model.dispose();
  });

  it('checks its options', async () => {
    const model = convNet();
    await expect(measure(model, { delta: -1 })).rejects.toThrow(/measure: delta must be/);
    await expect(measure(model, { rules: [{}] as never })).rejects.toThrow(/rules\[0\]\.match/);
    await expect(measure(model, { reference: [] })).rejects.toThrow(/reference must hold/);
    model.dispose();
  });
});
