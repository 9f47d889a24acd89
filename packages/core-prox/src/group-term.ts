import type { Regularizer, RegularizerConfig } from './regularizer.js';

/**
 * Whether a regularizer has a group ℓ1,2 term — `GroupL12`, `SparseGroupLasso`, or an
 * elastic net of one — i.e. whether it can zero whole groups (neurons, conv kernels) at
 * once rather than single entries. Regularizers of other types (`L1`, `L1Positive`, `None`,
 * your own) answer false.
 */
export function hasGroupTerm(regularizer: Regularizer): boolean {
  return configHasGroupTerm(regularizer.getConfig());
}

function configHasGroupTerm(config: RegularizerConfig): boolean {
  if (config.type === 'GroupL12' || config.type === 'SparseGroupLasso') return true;
  return config.type === 'ElasticNet' && configHasGroupTerm(config.base);
}
