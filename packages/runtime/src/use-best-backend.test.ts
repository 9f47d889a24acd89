import * as tf from '@tensorflow/tfjs';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { BACKEND_NAMES, parseBackendRequest } from './backend-name.js';
import { describeBackendChoice, useBestBackend } from './use-best-backend.js';
import { WASM_TRAINING_KERNELS } from './wasm-kernels/register.js';
import { stopWebgpuBackend } from './webgpu-backend.js';

afterEach(async () => {
  vi.unstubAllEnvs();
  await tf.setBackend('cpu');
});

afterAll(async () => stopWebgpuBackend());

/** Why webgpu is skipped here: no GPU; Mesa's software adapter when installed, else none. */
const NO_GPU = /^(only a software adapter|no GPU adapter): /;

describe('useBestBackend', () => {
  it('chooses wasm here and says why webgpu (no GPU) and tensorflow (no libtensorflow) were skipped', async () => {
    const choice = await useBestBackend({ env: {} });
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.version).toBe('4.22.0');
    expect(choice.threads).toBe(1);
    expect(choice.device).toBeUndefined();
    expect(choice.kernels).toEqual([...WASM_TRAINING_KERNELS]);
    expect(choice.skipped.map((s) => s.package)).toEqual([
      '@tensorflow/tfjs-backend-webgpu',
      '@tensorflow/tfjs-node-gpu',
      '@tensorflow/tfjs-node',
    ]);
    const [webgpu, ...tensorflow] = choice.skipped;
    expect(webgpu!.name).toBe('webgpu');
    expect(webgpu!.why).toMatch(NO_GPU);
    for (const s of tensorflow) {
      expect(s.name).toBe('tensorflow');
      expect(s.why).toMatch(/libtensorflow is not installed \(its install script did not run\)/);
    }
    const summary = webgpu!.why.split(': ')[0];
    expect(choice.reason).toBe(
      `the fastest backend that starts here (skipped tfjs-backend-webgpu: ${summary}; ` +
        'tfjs-node-gpu, tfjs-node: libtensorflow is not installed (its install script did not run))',
    );
  });

  it('prints one line through `log`', async () => {
    const lines: string[] = [];
    const choice = await useBestBackend({ env: {}, log: (line) => lines.push(line) });
    expect(lines).toEqual([describeBackendChoice(choice)]);
    expect(lines[0]).toMatch(/^backend wasm \(tfjs-backend-wasm 4\.22\.0, 1 thread\): the fastest/);
  });

  it('honours BREGMAN_BACKEND=cpu from process.env', async () => {
    await tf.setBackend('wasm');
    vi.stubEnv('BREGMAN_BACKEND', 'cpu');
    const choice = await useBestBackend();
    expect(choice).toMatchObject({
      name: 'cpu',
      reason: 'requested by BREGMAN_BACKEND=cpu',
      skipped: [],
    });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('honours BREGMAN_BACKEND=wasm, and prefer wins over the variable', async () => {
    expect((await useBestBackend({ env: { BREGMAN_BACKEND: ' WASM ' } })).name).toBe('wasm');
    const choice = await useBestBackend({ prefer: 'cpu', env: { BREGMAN_BACKEND: 'wasm' } });
    expect(choice).toMatchObject({ name: 'cpu', reason: "requested by prefer: 'cpu'" });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('an empty BREGMAN_BACKEND or "auto" means the automatic choice', async () => {
    expect((await useBestBackend({ env: { BREGMAN_BACKEND: '' } })).name).toBe('wasm');
    expect((await useBestBackend({ prefer: 'auto' })).name).toBe('wasm');
  });

  it('an unknown name is an error that lists the allowed ones', async () => {
    await expect(useBestBackend({ env: { BREGMAN_BACKEND: 'webgl' } })).rejects.toThrow(
      "BREGMAN_BACKEND must be one of webgpu, tensorflow, wasm, cpu, auto, got 'webgl'",
    );
    await expect(useBestBackend({ prefer: 'gpu' })).rejects.toThrow(
      "useBestBackend: prefer must be one of webgpu, tensorflow, wasm, cpu, auto, got 'gpu'",
    );
    expect(() => parseBackendRequest('tensorflow-gpu', '--backend')).toThrow(
      /--backend must be one of/,
    );
    expect(parseBackendRequest(' WebGPU ', '--backend')).toBe('webgpu');
    expect(BACKEND_NAMES).toEqual(['webgpu', 'tensorflow', 'wasm', 'cpu']);
  });

  it('asking for tensorflow where it cannot start is an error with the reasons, not a fallback', async () => {
    await expect(useBestBackend({ env: { BREGMAN_BACKEND: 'tensorflow' } })).rejects.toThrow(
      /BREGMAN_BACKEND=tensorflow asks for the tensorflow backend, which cannot start here: @tensorflow\/tfjs-node-gpu: libtensorflow is not installed .*; @tensorflow\/tfjs-node: libtensorflow is not installed/,
    );
    expect(tf.getBackend()).toBe('cpu');
  });
});
