import { type RegularizerConfig, regularizerFromConfig } from '@bregman/core-prox';
import { checkGoldenRun, loadGolden } from '@bregman/test-utils';
import '@tensorflow/tfjs';
import { describe, it } from 'vitest';
import { ProxGD } from './prox-gd.js';

const golden = loadGolden();
const runs = golden.runs.filter((r) => r.optimizer === 'ProxGD');

describe('ProxGD runs of shared/fixtures/golden-public.json (float64 reference)', () => {
  it('has ProxGD runs to check', () => {
    if (runs.length < 1) throw new Error('fixture lacks ProxGD runs');
  });

  for (const run of runs) {
    it(`ProxGD ${JSON.stringify(run.hyper)} J=${JSON.stringify(run.kernelRegularizer)}: loss and parameters step by step to 1e-5 relative`, () => {
      const rules = run.kernelRegularizer
        ? [
            {
              match: /\/kernel$/,
              regularizer: regularizerFromConfig(run.kernelRegularizer as RegularizerConfig),
            },
          ]
        : [];
      checkGoldenRun(golden, run, () => new ProxGD({ learningRate: run.hyper.lr!, rules }));
    });
  }
});
