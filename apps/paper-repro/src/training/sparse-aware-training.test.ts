import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { prunedLasso, sparseAwareSpec, tinySpec } from '../shared/test-spec.test-helper.js';
import { runPaths } from '../storage/plan.js';
import { buildModel } from './build.js';
import { denseStepReason } from './sparse-aware-training.js';
import { trainRun } from './train-run.js';

const spec = sparseAwareSpec();

describe('pnpm repro --sparse-aware', () => {
  it('trains a group-sparse LinBreg run on the live units to the numbers of the dense step', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'repro-sparse-aware-'));
    const before = tf.memory().numTensors;
    const dense = await trainRun(spec, runPaths(join(dir, 'dense'), spec), {
      resume: false,
      backend: 'cpu',
    });
    const sparse = await trainRun(spec, runPaths(join(dir, 'sparse'), spec), {
      resume: false,
      backend: 'cpu',
      sparseAware: true,
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(dense.sparseAware).toBeUndefined();
    expect(sparse.sparseAware).toBe(true);
    expect(sparse.threads).toBe(1);
    // the live units are few: most steps ran on them
    const shares = sparse.epochs.slice(1).map((e) => e.sparseSteps!);
    expect(shares.every((s) => s >= 0 && s <= 1)).toBe(true);
    // the first epochs on the live units; output neurons born in the last one make the
    // dense step cheaper, and the step switches to it
    expect(shares.slice(0, 2)).toEqual([1, 1]);
    expect(shares[2]).toBeLessThan(1);
    expect(sparse.epochs.at(-1)!.activeNeurons[1]).toBeGreaterThan(0);
    expect(dense.epochs.every((e) => e.sparseSteps === undefined)).toBe(true);
    // the same iterates, up to float32 summation order
    for (const [i, e] of sparse.epochs.entries()) {
      const d = dense.epochs[i]!;
      if (e.trainLoss !== null) expect(e.trainLoss).toBeCloseTo(d.trainLoss!, 4);
      expect(e.validationLoss).toBeCloseTo(d.validationLoss, 4);
      expect(e.testAccuracy).toBeCloseTo(d.testAccuracy!, 6);
      expect(e.nTotal).toBeCloseTo(d.nTotal, 6);
      expect(e.activeNeurons).toEqual(d.activeNeurons);
    }
  });

  it('says why a run keeps the dense step', () => {
    const mlp = buildModel(spec, { mean: [0], std: [1] });
    expect(denseStepReason(spec, mlp)).toBeNull();
    expect(denseStepReason(tinySpec(prunedLasso(2)), mlp)).toMatch(/penalty to the loss/);
    const { penalty: _, ...pruningOnly } = prunedLasso(2);
    expect(denseStepReason(tinySpec(pruningOnly), mlp)).toMatch(/prunes after every step/);
    mlp.dispose();
    const input = tf.input({ shape: [4] });
    const hidden = tf.layers.dense({ units: 4 }).apply(input) as tf.SymbolicTensor;
    const sum = tf.layers.add({ name: 'residual' }).apply([hidden, input]) as tf.SymbolicTensor;
    const residual = tf.model({ inputs: input, outputs: sum });
    expect(denseStepReason(spec, residual)).toMatch(/'residual'/);
    residual.dispose();
  });
});
