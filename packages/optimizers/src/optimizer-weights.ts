import type { Tensor } from '@tensorflow/tfjs-core';

/** One named tensor of an optimizer checkpoint (tfjs's `NamedTensor`). */
export interface NamedTensor {
  /** `iter`, or `<variable name>/<slot>`. */
  name: string;
  /** The value. */
  tensor: Tensor;
}

/**
 * Renames the variables in an optimizer checkpoint (`getWeights()` of {@link LinBreg} or
 * {@link AdaBreg}): `<old>/<slot>` becomes `<new>/<slot>`, `iter` stays. tfjs gives the
 * variables of a second model instance in one process other names (`dense_Dense4/kernel`
 * instead of `dense_Dense1/kernel`), so restoring a checkpoint into a fresh model needs this.
 *
 * @param weights - a checkpoint from `getWeights()`.
 * @param rename - old variable name → new one (a map, or a function; names it does not
 *   cover are an error, so no state is silently dropped).
 *
 * @example
 * ```ts
 * const oldNames = oldModel.trainableWeights.map((w) => w.name);
 * const newNames = newModel.trainableWeights.map((w) => w.name);
 * const mapping = Object.fromEntries(oldNames.map((n, i) => [n, newNames[i]]));
 * await optimizer.setWeights(renameOptimizerWeights(saved, mapping));
 * ```
 */
export function renameOptimizerWeights(
  weights: readonly NamedTensor[],
  rename: Record<string, string> | ((name: string) => string | undefined),
): NamedTensor[] {
  const lookup = typeof rename === 'function' ? rename : (name: string) => rename[name];
  return weights.map(({ name, tensor }) => {
    if (name === 'iter') return { name, tensor };
    const cut = name.lastIndexOf('/');
    const variable = name.slice(0, cut);
    const renamed = cut > 0 ? lookup(variable) : undefined;
    if (renamed === undefined) {
      throw new Error(
        `renameOptimizerWeights: no new name for variable '${variable}' (in '${name}')`,
      );
    }
    return { name: `${renamed}/${name.slice(cut + 1)}`, tensor };
  });
}
