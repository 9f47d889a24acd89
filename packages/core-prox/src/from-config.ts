import { elasticNet } from './elastic-net.js';
import { GroupL12 } from './group-l12.js';
import { L1 } from './l1.js';
import { L1Positive } from './l1-positive.js';
import { NoRegularizer } from './no-regularizer.js';
import type { Regularizer, RegularizerConfig, RegularizerType } from './regularizer.js';
import { SparseGroupLasso } from './sparse-group-lasso.js';

const TYPES: readonly RegularizerType[] = [
  'L1',
  'L1Positive',
  'GroupL12',
  'SparseGroupLasso',
  'None',
  'ElasticNet',
];

/**
 * Rebuilds a regularizer from its `getConfig()` (the inverse of `getConfig`), e.g. when an
 * optimizer is deserialized. The config is checked as untrusted JSON: an unknown `type`
 * or a bad field is an error that names it and the allowed values.
 *
 * @example
 * ```ts
 * const J = regularizerFromConfig({ type: 'GroupL12', lambda: 0.1, reduceAxes: [0, 1] });
 * ```
 */
export function regularizerFromConfig(config: RegularizerConfig): Regularizer {
  if (typeof config !== 'object' || config === null) {
    throw new TypeError(`regularizerFromConfig: config must be an object, got ${String(config)}`);
  }
  const type = (config as { type?: unknown }).type;
  switch (type) {
    case 'L1':
      return new L1({ lambda: config.lambda });
    case 'L1Positive':
      return new L1Positive({ lambda: config.lambda });
    case 'GroupL12':
    case 'SparseGroupLasso': {
      const { lambda, reduceAxes } = config as { lambda: number; reduceAxes: number[] };
      return type === 'GroupL12'
        ? new GroupL12({ lambda, reduceAxes })
        : new SparseGroupLasso({ lambda, reduceAxes });
    }
    case 'None':
      return new NoRegularizer();
    case 'ElasticNet': {
      const { base, delta } = config as { base: RegularizerConfig; delta: number };
      return elasticNet(regularizerFromConfig(base), delta);
    }
    default:
      throw new TypeError(
        `regularizerFromConfig: config.type must be one of ${TYPES.map((t) => `'${t}'`).join(', ')}, got ${JSON.stringify(type)}`,
      );
  }
}
