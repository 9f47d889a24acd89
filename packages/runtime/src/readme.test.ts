import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@bregman/test-utils';
import { expect, it, vi } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

it('the README example runs: it picks wasm, says why tfjs-node was skipped, and a conv net learns', async () => {
  vi.stubEnv('BREGMAN_BACKEND', '');
  const printed = await runReadmeExample(packageDir, {
    '@bregman/runtime': fileURLToPath(new URL('./index.ts', import.meta.url)),
  });
  vi.unstubAllEnvs();
  expect(printed[0]).toMatch(
    /^backend wasm \(tfjs-backend-wasm 4\.22\.0, 1 thread\): the fastest backend that starts here \(skipped tfjs-node-gpu, tfjs-node: libtensorflow is not installed/,
  );
  expect(printed[1]).toMatch(
    /^skipped @tensorflow\/tfjs-node-gpu: libtensorflow is not installed \(its install script did not run\)/,
  );
  expect(printed[2]).toMatch(
    /^skipped @tensorflow\/tfjs-node: libtensorflow is not installed \(its install script did not run\)/,
  );
  const [, first, last] = /^loss ([\d.]+) -> ([\d.]+) on wasm$/.exec(printed[3] ?? '')!.map(Number);
  expect(last!).toBeLessThan(0.5 * first!);
  expect(printed).toHaveLength(4);
});

it('the README example of "Training on every core" runs: the loss falls on 2 threads', async () => {
  const printed = await runReadmeExample(
    packageDir,
    { '@bregman/runtime': fileURLToPath(new URL('./index.ts', import.meta.url)) },
    1,
  );
  const [, first, last] = /^loss ([\d.]+) -> ([\d.]+) on 2 threads$/
    .exec(printed[0] ?? '')!
    .map(Number);
  expect(last!).toBeLessThan(0.5 * first!);
  expect(printed).toHaveLength(1);
});
