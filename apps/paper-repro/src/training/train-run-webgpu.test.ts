import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeWebgpuAdapters, startWebgpuBackend, stopWebgpuBackend } from '@bregman/runtime';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import type { MethodSpec } from '../shared/spec.js';
import {
  LINBREG_MOMENTUM,
  prunedLasso,
  sparseAwareSpec,
  tinySpec,
} from '../shared/test-spec.test-helper.js';
import { runPaths } from '../storage/plan.js';
import type { EpochRecord, RunRecord } from '../storage/run-record.js';
import { trainRun } from './train-run.js';

/**
 * Why the webgpu backend cannot run here (no `webgpu` package, no adapter), or `undefined`
 * when an adapter exists: a GPU, or Mesa's software rasterizer (as the runtime's own tests).
 */
async function webgpuUnavailable(): Promise<string | undefined> {
  const probe = await probeWebgpuAdapters();
  if (probe.hardware || probe.software) return undefined;
  const why =
    probe.error ??
    `no WebGPU adapter (Dawn: ${probe.notes.join('; ') || 'none found'}); install Mesa ` +
      '(apt-get install libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri) for a software adapter';
  console.warn(`train-run-webgpu.test.ts: skipped, ${why}`);
  return why;
}

const unavailable = await webgpuUnavailable();

/**
 * Relative difference allowed between the losses (and ℓ1 norms) of the webgpu and the cpu
 * run. Both compute in float32 (unit roundoff 6e-8) but sum in different orders (the GPU in
 * tiled products and per-workgroup partial sums): a loss of n terms differs by up to
 * ~n·6e-8 relative, and 16 training steps carry the weights' differences forward (the
 * runtime's webgpu tests measure < 1e-5 on gradients after 3 Bregman steps). Measured on
 * Mesa's llvmpipe: at most 1.2e-7. 1e-4 leaves room for other GPUs and still catches a
 * wrong kernel or a lost state (a step, a learning-rate halving or a momentum buffer off
 * moves them by 1e-2 or more).
 */
const RELATIVE = 1e-4;

/**
 * Accuracy may differ by one image of the 128 (a near tie of two logits can flip with the
 * last bits); sparsity by a few of the 12,704 kernel entries (an entry within rounding of
 * the shrinkage threshold λ may be zero on one backend and not on the other).
 */
const ONE_IMAGE = 1 / 128 + 1e-12;
const A_FEW_WEIGHTS = 4 / (784 * 16 + 16 * 10);

/**
 * What a finished run reads, both ways of training: LinBreg with momentum (the Bregman step,
 * its v and m restored from the checkpoint), and SGD with an ℓ1 penalty and magnitude
 * pruning (the masks restored by pruning again); each thresholded to 10 % and compacted.
 */
const METHODS: MethodSpec[] = [
  {
    ...LINBREG_MOMENTUM,
    id: 'linbreg-m-thresh',
    label: 'LinBreg β = 0.9, thresholded',
    threshold: { density: 0.1 },
  },
  { ...prunedLasso(1), label: 'SGD + penalty + pruning, thresholded' },
];

/** The part of tfjs-backend-webgpu's `WebGPUBackend` that {@link countGpuSyncReads} watches. */
interface WatchedBackend {
  readSync(dataId: object): unknown;
  tensorMap: { get(dataId: object): { values?: unknown } | undefined };
}

/**
 * Synchronous reads (`dataSync`, `arraySync`, …) of values that live on the GPU while `fn`
 * runs — each one a stall of the GPU, and an error in Node. tfjs itself reads small tensors
 * that are still on the CPU synchronously (e.g. `tf.topk` of the pruning's 10 output neurons
 * runs on the CPU): those are not counted.
 */
async function countGpuSyncReads<T>(fn: () => Promise<T>): Promise<{ result: T; calls: number }> {
  const backend = tf.findBackend('webgpu') as unknown as WatchedBackend;
  const readSync = backend.readSync;
  let calls = 0;
  backend.readSync = (dataId: object) => {
    if (backend.tensorMap.get(dataId)?.values == null) calls++;
    return readSync.call(backend, dataId);
  };
  try {
    return { result: await fn(), calls };
  } finally {
    backend.readSync = readSync;
  }
}

function expectClose(
  actual: number | null,
  expected: number | null,
  tolerance: number,
  what: string,
) {
  expect(actual === null, what).toBe(expected === null);
  if (actual === null || expected === null) return;
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(
    tolerance,
  );
}

/** Asserts that `gpu` has `cpu`'s numbers within the tolerances above. */
function expectSameNumbers(gpu: EpochRecord, cpu: EpochRecord, what: string) {
  for (const field of ['trainLoss', 'validationLoss', 'testLoss', 'l1Norm'] as const) {
    const expected = cpu[field];
    expectClose(gpu[field], expected, RELATIVE * Math.abs(expected ?? 0), `${what} ${field}`);
  }
  for (const field of ['trainAccuracy', 'validationAccuracy', 'testAccuracy'] as const) {
    expectClose(gpu[field], cpu[field], ONE_IMAGE, `${what} ${field}`);
  }
  expectClose(gpu.nTotal, cpu.nTotal, A_FEW_WEIGHTS, `${what} nTotal`);
  expect(gpu.learningRate, `${what} learningRate`).toBe(cpu.learningRate);
}

describe.skipIf(unavailable !== undefined)(
  'trainRun on the webgpu backend (a GPU, else Mesa’s llvmpipe)',
  () => {
    afterAll(async () => {
      await stopWebgpuBackend(); // navigator.gpu holds Dawn: the test process would not end
      await tf.setBackend('cpu');
    });

    it.each(METHODS.map((m) => [m.label, m] as const))(
      '%s: stopped after epoch 1 and resumed, it has the cpu run’s numbers, without a synchronous read',
      async (_label, method) => {
        const dir = mkdtempSync(join(tmpdir(), 'repro-webgpu-'));
        const spec = tinySpec(method, { epochs: 2, finish: { compact: true } });
        await tf.setBackend('cpu');
        const cpu = await trainRun(spec, runPaths(join(dir, 'cpu'), spec), {
          resume: false,
          backend: 'cpu',
        });

        const started = await startWebgpuBackend({ adapter: 'any' });
        expect(started.why).toBeUndefined();
        expect(tf.getBackend()).toBe('webgpu');
        const paths = runPaths(join(dir, 'webgpu'), spec);
        const before = tf.memory().numTensors;
        const { result: gpu, calls } = await countGpuSyncReads(async () => {
          const stopped = await trainRun(spec, paths, {
            resume: false,
            backend: 'webgpu',
            stopAfterEpoch: 1,
          });
          expect(stopped.status).toBe('running');
          expect(existsSync(paths.checkpoint)).toBe(true);
          return trainRun(spec, paths, { resume: true, backend: 'webgpu' });
        });
        expect(tf.getBackend()).toBe('webgpu');
        expect(calls, 'synchronous reads from the GPU').toBe(0);
        expect(tf.memory().numTensors).toBe(before);

        expect(gpu.status).toBe('done');
        expect(existsSync(paths.model)).toBe(true);
        expect(gpu.epochs.map((e) => e.epoch)).toEqual([0, 1, 2]);
        for (const [i, expected] of cpu.epochs.entries()) {
          expectSameNumbers(gpu.epochs[i]!, expected, `epoch ${i}`);
        }
        expect(gpu.best?.epoch).toBe(cpu.best?.epoch);
        const finish = (r: RunRecord) => r.finish!;
        expect(finish(gpu).compacted).toEqual(finish(cpu).compacted);
        for (const part of ['kept', 'thresholded'] as const) {
          const [g, c] = [finish(gpu)[part]!, finish(cpu)[part]!];
          expectClose(g.testLoss, c.testLoss, RELATIVE * c.testLoss, `${part} testLoss`);
          expectClose(g.testAccuracy, c.testAccuracy, ONE_IMAGE, `${part} testAccuracy`);
          expectClose(g.nTotal, c.nTotal, A_FEW_WEIGHTS, `${part} nTotal`);
        }
        expect(finish(cpu).thresholded!.nTotal).toBeLessThanOrEqual(0.1);
      },
    );

    it('--sparse-aware: the live step on webgpu has the cpu dense run’s numbers, without a synchronous read', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'repro-webgpu-sparse-'));
      const spec = sparseAwareSpec({ epochs: 2 });
      await tf.setBackend('cpu');
      const cpu = await trainRun(spec, runPaths(join(dir, 'cpu'), spec), {
        resume: false,
        backend: 'cpu',
      });
      const started = await startWebgpuBackend({ adapter: 'any' });
      expect(started.why).toBeUndefined();
      const { result: gpu, calls } = await countGpuSyncReads(() =>
        trainRun(spec, runPaths(join(dir, 'webgpu'), spec), {
          resume: false,
          backend: 'webgpu',
          sparseAware: true,
        }),
      );
      expect(calls, 'synchronous reads from the GPU').toBe(0);
      expect(gpu.sparseAware).toBe(true);
      expect(gpu.epochs.slice(1).map((e) => e.sparseSteps)).toEqual([1, 1]);
      for (const [i, expected] of cpu.epochs.entries()) {
        expectSameNumbers(gpu.epochs[i]!, expected, `epoch ${i}`);
      }
    });
  },
);
