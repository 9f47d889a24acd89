import { wasmThreadsEnabled } from '@bregman/runtime';
import { expect, it } from 'vitest';
import { runBench } from './bench.js';
import { parseArgs } from './options.js';
import { markdownTable } from './report.js';

// Its own test file, so its own process: the wasm backend here starts on 2 threads.
it('--threads 2 times every optimizer on 1 and on 2 threads in the same rounds', async () => {
  const options = parseArgs([
    '--smoke',
    '--models',
    'mlp',
    '--optimizers',
    'sgd,linbreg',
    '--threads',
    '2',
  ])!;
  const result = await runBench(options);
  expect(result.backends.map((b) => [b.name, b.threads])).toEqual([['wasm', 2]]);
  expect(result.rows.map((r) => [r.optimizer, r.threads])).toEqual([
    ['sgd', 1],
    ['sgd', 2],
    ['linbreg', 1],
    ['linbreg', 2],
  ]);
  for (const row of result.rows) {
    expect(row.stepTimes).toHaveLength(2);
    expect(row.matMul).toMatchObject({ n: 128, calls: 2 });
    const one = result.rows.find((r) => r.optimizer === row.optimizer && r.threads === 1)!;
    if (row.threads === 1) expect(row.threadsSpeedup).toBeUndefined();
    else expect(row.threadsSpeedup).toBeCloseTo(one.msPerStep / row.msPerStep, 9);
  }
  // the ratio compares the same thread count
  const linbreg2 = result.rows.find((r) => r.optimizer === 'linbreg' && r.threads === 2)!;
  const sgd2 = result.rows.find((r) => r.optimizer === 'sgd' && r.threads === 2)!;
  expect(linbreg2.ratio).toBeCloseTo(linbreg2.msPerStep / sgd2.msPerStep, 9);
  expect(markdownTable(result.rows)).toMatch(
    /\| wasm \| mlp \| 4 \| linbreg \| 2 \|.*\| [\d.]+ \|$/m,
  );
  // the bench leaves the threads switched on
  expect(wasmThreadsEnabled()).toBe(true);
});
