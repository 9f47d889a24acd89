import { expectAllClose, loadGolden, shapeOf } from '@bregman/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, it } from 'vitest';
import { regularizerFromConfig } from './from-config.js';
import type { RegularizerConfig } from './regularizer.js';

const golden = loadGolden();

describe('prox cases of shared/fixtures/golden-public.json (float64 reference)', () => {
  it('has cases to check', () => {
    if (golden.prox.length === 0) throw new Error('fixture has no prox cases');
  });

  for (const c of golden.prox) {
    it(`${c.name}: prox, J(prox) and ∂J(prox) to 1e-5 relative`, () => {
      const J = regularizerFromConfig(c.regularizer as RegularizerConfig);
      tf.tidy(() => {
        const x = tf.tensor(c.x as number[], shapeOf(c.x));
        const y = J.prox(x, c.delta);
        expectAllClose(y.dataSync(), c.prox, { label: `${c.name} prox` });
        expectAllClose(J.value(y).dataSync(), c.value, { label: `${c.name} value` });
        expectAllClose(J.subgradient(y).dataSync(), c.subgradientAtProx, {
          label: `${c.name} subgradient`,
        });
      });
    });
  }
});
