import { SPARSITY_GROUPS, type SparsityGroups } from '@bregman/core-prox';
import { checkOneOf } from './validation.js';

/**
 * The shape of one Bernoulli draw per group for a weight of shape `shape`: `shape` for
 * `'entry'`, `[1, …, 1, nOut]` for `'neuron'`, `[1, …, 1, cin, cout]` for `'kernel'`.
 * Broadcasting it against `shape` gives the full mask.
 *
 * @param context - names the argument in error messages.
 */
export function groupShape(
  shape: readonly number[],
  groups: SparsityGroups,
  context = 'groups',
): number[] {
  checkOneOf(context, groups, SPARSITY_GROUPS);
  const rank = shape.length;
  if (groups === 'entry') return [...shape];
  if (groups === 'neuron') {
    if (rank < 2) {
      throw new RangeError(
        `${context} 'neuron' needs a kernel of rank ≥ 2 ([nIn, nOut] or [kh, kw, cin, cout]), got shape [${shape.join(', ')}]; use 'entry'`,
      );
    }
    return [...new Array<number>(rank - 1).fill(1), shape[rank - 1]!];
  }
  if (rank < 3) {
    throw new RangeError(
      `${context} 'kernel' needs a convolution kernel [kh, kw, cin, cout] (rank ≥ 3), got shape [${shape.join(', ')}]; use 'entry' or 'neuron' for Dense kernels`,
    );
  }
  return [...new Array<number>(rank - 2).fill(1), shape[rank - 2]!, shape[rank - 1]!];
}

/**
 * The `reduceAxes` of `GroupL12` / `SparseGroupLasso` (`@bregman/core-prox`) whose groups
 * are these: `[0, …, rank − 2]` for `'neuron'`, the spatial axes `[0, …, rank − 3]` for
 * `'kernel'`. `'entry'` has no group axes (use `L1`): an error.
 */
export function groupReduceAxes(groups: SparsityGroups, rank: number): number[] {
  checkOneOf('groups', groups, SPARSITY_GROUPS);
  if (groups === 'entry') {
    throw new RangeError(`groups 'entry' has no reduce axes: entry sparsity is plain ℓ1`);
  }
  const n = groups === 'neuron' ? rank - 1 : rank - 2;
  if (!Number.isInteger(rank) || n < 1) {
    throw new RangeError(
      `rank must be an integer ≥ ${groups === 'neuron' ? 2 : 3} for groups '${groups}', got ${rank}`,
    );
  }
  return Array.from({ length: n }, (_, i) => i);
}
