import { type RegularizerConfig, regularizerFromConfig } from '@bregman/core-prox';
import { checkGoldenRun, type GoldenRun, loadGolden } from '@bregman/test-utils';
import '@tensorflow/tfjs';
import { describe, it } from 'vitest';
import { AdaBreg } from './ada-breg.js';
import { LinBreg } from './lin-breg.js';

const golden = loadGolden();
const ours = golden.runs.filter((r) => r.optimizer === 'LinBreg' || r.optimizer === 'AdaBreg');

/** The run's optimizer, its regularizer on the kernels only. */
function optimizerFor(run: GoldenRun) {
  const { lr, delta, momentum, beta1, beta2 } = run.hyper;
  const rules = run.kernelRegularizer
    ? [
        {
          match: /\/kernel$/,
          regularizer: regularizerFromConfig(run.kernelRegularizer as RegularizerConfig),
        },
      ]
    : [];
  // the fixture leaves out what takes its default
  const given = <T extends object>(o: T) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
      [K in keyof T]: Exclude<T[K], undefined>;
    };
  return run.optimizer === 'LinBreg'
    ? new LinBreg({ learningRate: lr!, rules, ...given({ delta, momentum }) })
    : new AdaBreg({ learningRate: lr!, rules, ...given({ delta, beta1, beta2 }) });
}

describe('optimizer runs of shared/fixtures/golden-public.json (float64 reference)', () => {
  it('has LinBreg and AdaBreg runs to check', () => {
    if (ours.length < 2) throw new Error('fixture lacks LinBreg / AdaBreg runs');
  });

  for (const run of ours) {
    it(`${run.optimizer} ${JSON.stringify(run.hyper)} J=${JSON.stringify(run.kernelRegularizer)}: loss and parameters step by step to 1e-5 relative`, () => {
      checkGoldenRun(golden, run, () => optimizerFor(run));
    });
  }
});
