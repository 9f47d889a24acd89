// The webgpu branches of useBestBackend with startWebgpuBackend replaced: this machine has no
// GPU, and whether Mesa's software adapter exists depends on the machine.
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { describeBackendChoice, useBestBackend } from './use-best-backend.js';
import type { StartWebgpuOptions, WebgpuAttempt } from './webgpu-backend.js';

const attempts: StartWebgpuOptions[] = [];
let answer: WebgpuAttempt = {};

vi.mock('./webgpu-backend.js', () => ({
  startWebgpuBackend: async (options: StartWebgpuOptions) => {
    attempts.push(options);
    return answer;
  },
}));

const GPU: WebgpuAttempt = {
  started: {
    version: '4.22.0',
    dawnVersion: '0.6.2',
    adapter: {
      kind: 'hardware',
      name: 'nvidia hopper (NVIDIA H100 80GB HBM3)',
      route: { flags: [], request: { powerPreference: 'high-performance' } },
    },
  },
};

afterEach(async () => {
  attempts.length = 0;
  await tf.setBackend('cpu');
});

describe('useBestBackend and webgpu', () => {
  it('prefers webgpu when a hardware adapter exists, and names the GPU', async () => {
    answer = GPU;
    const choice = await useBestBackend({ env: {} });
    expect(attempts).toEqual([{ adapter: 'hardware' }]);
    expect(choice).toMatchObject({
      name: 'webgpu',
      version: '4.22.0',
      threads: 1,
      device: 'hardware adapter nvidia hopper (NVIDIA H100 80GB HBM3)',
      reason: 'the fastest backend: a GPU through Dawn',
      skipped: [],
    });
    expect(describeBackendChoice(choice)).toBe(
      'backend webgpu (tfjs-backend-webgpu 4.22.0, hardware adapter nvidia hopper (NVIDIA H100 80GB HBM3)): the fastest backend: a GPU through Dawn',
    );
  });

  it('skips webgpu with its reason when there is no hardware adapter', async () => {
    answer = { why: 'not installed (optional peer dependencies): webgpu missing; npm install …' };
    const choice = await useBestBackend({ env: {} });
    expect(choice.name).toBe('wasm');
    expect(choice.skipped[0]).toEqual({
      name: 'webgpu',
      package: '@tensorflow/tfjs-backend-webgpu',
      why: answer.why,
    });
    expect(choice.reason).toMatch(
      /^the fastest backend that starts here \(skipped tfjs-backend-webgpu: not installed \(optional peer dependencies\); tfjs-node-gpu, tfjs-node: /,
    );
  });

  it('BREGMAN_BACKEND=webgpu accepts a software adapter', async () => {
    answer = GPU;
    const choice = await useBestBackend({ env: { BREGMAN_BACKEND: 'webgpu' } });
    expect(attempts).toEqual([{ adapter: 'any' }]);
    expect(choice).toMatchObject({ name: 'webgpu', reason: 'requested by BREGMAN_BACKEND=webgpu' });
  });

  it('syncReads: webgpu is skipped (not even tried) with the reason, and naming it is an error', async () => {
    answer = GPU;
    const choice = await useBestBackend({ env: {}, syncReads: true });
    expect(attempts).toEqual([]);
    expect(choice.name).toBe('wasm');
    expect(choice.skipped[0]).toMatchObject({
      name: 'webgpu',
      why: expect.stringMatching(/^no synchronous reads: this program reads tensors with dataSync/),
    });
    expect(choice.reason).toMatch(/\(skipped tfjs-backend-webgpu: no synchronous reads; /);
    await expect(
      useBestBackend({ env: { BREGMAN_BACKEND: 'webgpu' }, syncReads: true }),
    ).rejects.toThrow(
      'BREGMAN_BACKEND=webgpu asks for the webgpu backend, which this program cannot use: no synchronous reads',
    );
  });

  it('webgpu named where it cannot start is an error with the reason, not a fallback', async () => {
    answer = { why: 'no GPU adapter: Dawn found none' };
    await expect(useBestBackend({ prefer: 'webgpu' })).rejects.toThrow(
      "prefer: 'webgpu' asks for the webgpu backend, which cannot start here: no GPU adapter: Dawn found none",
    );
    expect(tf.getBackend()).toBe('cpu');
  });
});
