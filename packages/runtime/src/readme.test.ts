import { packageReadme } from '@bregman/test-utils';
import { expect, it, vi } from 'vitest';
import { webgpuUnavailable } from './webgpu.test-helper.js';

const readme = packageReadme(import.meta.url, ['runtime']);

it('the README example runs: it picks wasm, says why webgpu and tfjs-node were skipped, and a conv net learns', async () => {
  vi.stubEnv('BREGMAN_BACKEND', '');
  const printed = await readme.run();
  vi.unstubAllEnvs();
  // no GPU here: Mesa's software adapter when installed (as by .ci/run), else none
  const noGpu = '(only a software adapter|no GPU adapter)';
  expect(printed[0]).toMatch(
    new RegExp(
      `^backend wasm \\(tfjs-backend-wasm 4\\.22\\.0, 1 thread\\): the fastest backend that starts here \\(skipped tfjs-backend-webgpu: ${noGpu}; tfjs-node-gpu, tfjs-node: libtensorflow is not installed`,
    ),
  );
  expect(printed[1]).toMatch(new RegExp(`^skipped @tensorflow/tfjs-backend-webgpu: ${noGpu}: `));
  expect(printed[2]).toMatch(
    /^skipped @tensorflow\/tfjs-node-gpu: libtensorflow is not installed \(its install script did not run\)/,
  );
  expect(printed[3]).toMatch(
    /^skipped @tensorflow\/tfjs-node: libtensorflow is not installed \(its install script did not run\)/,
  );
  const [, first, last] = /^loss ([\d.]+) -> ([\d.]+) on wasm$/.exec(printed[4] ?? '')!.map(Number);
  expect(last!).toBeLessThan(0.5 * first!);
  expect(printed).toHaveLength(5);
});

it('the README example of "Training on every core" runs: the loss falls on 2 threads', async () => {
  const printed = await readme.run(2);
  const [, first, last] = /^loss ([\d.]+) -> ([\d.]+) on 2 threads$/
    .exec(printed[0] ?? '')!
    .map(Number);
  expect(last!).toBeLessThan(0.5 * first!);
  expect(printed).toHaveLength(1);
});

it('the README example of "Saving models without tfjs-node" runs: both ways give the same predictions', async () => {
  const printed = await readme.run(3);
  expect(printed).toEqual(['saved model.json, weights.bin', 'same predictions: true']);
});

it('the README example of "A loss in two kernel calls" runs: the loss falls on wasm', async () => {
  const printed = await readme.run(5);
  const [, first, last] = /^loss ([\d.]+) -> ([\d.]+) on wasm$/.exec(printed[0] ?? '')!.map(Number);
  expect(last!).toBeLessThan(0.5 * first!);
  expect(printed).toHaveLength(1);
});

const noAdapter = await webgpuUnavailable('readme.test.ts, the GPU example');

it.skipIf(noAdapter !== undefined)(
  'the README example of "GPU" runs: webgpu on the adapter found, the loss falls, a prediction is read',
  async () => {
    const printed = await readme.run(4);
    expect(printed[0]).toMatch(
      /^backend webgpu \(tfjs-backend-webgpu 4\.22\.0, (hardware|software) adapter .+\): requested by prefer: 'webgpu'$/,
    );
    const [, first, last] = /^loss ([\d.]+) -> ([\d.]+) on webgpu$/
      .exec(printed[1] ?? '')!
      .map(Number);
    expect(last!).toBeLessThan(0.05 * first!);
    const [, f] = /^f\(1, …, 1\) = ([\d.]+)$/.exec(printed[2] ?? '')!.map(Number);
    expect(Math.abs(f! - 8)).toBeLessThan(2); // |1| + … + |1| = 8
    expect(printed).toHaveLength(3);
  },
);
