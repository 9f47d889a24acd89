import { checkFraction, checkInteger, checkOptionsObject, checkPositive } from '@bregman/core-prox';

/** When and how far {@link MagnitudePruning} prunes. Epochs are 0-based, as in `model.fit`. */
export interface PruningSchedule {
  /** The density (fraction of kept weights per layer) reached at the end, in (0, 1]. */
  targetDensity: number;
  /** The first epoch at whose end weights are pruned. Default 0. */
  startEpoch?: number;
  /**
   * The last epoch at whose end weights are pruned: after it every layer has exactly the
   * target density. Must be an epoch `model.fit` runs (< `epochs`); the epochs after it
   * retrain the pruned net.
   */
  endEpoch: number;
  /** Prune at the end of every `frequency`-th epoch from `startEpoch` on (and of `endEpoch`). Default 1. */
  frequency?: number;
  /**
   * Shape of the density ramp `d = d_f + (1 − d_f)(1 − p)^power`: 3 (default) is the
   * polynomial schedule of Zhu & Gupta (2017), which prunes fast while the net is redundant
   * and slowly near the target; 1 is a linear ramp. Any finite number > 0.
   */
  power?: number;
}

/** A validated schedule with its defaults filled in. */
export type ResolvedPruningSchedule = Required<PruningSchedule>;

/** Checks a schedule (errors name the argument and the allowed range) and fills in defaults. */
export function resolvePruningSchedule(schedule: PruningSchedule): ResolvedPruningSchedule {
  const owner = 'MagnitudePruning';
  checkOptionsObject(
    owner,
    schedule,
    `with targetDensity and endEpoch, e.g. new ${owner}({ targetDensity: 0.05, endEpoch: 20 })`,
  );
  const { targetDensity, startEpoch = 0, endEpoch, frequency = 1, power = 3 } = schedule;
  checkFraction(`${owner}: targetDensity`, targetDensity);
  checkInteger(`${owner}: startEpoch`, startEpoch, 0);
  checkInteger(`${owner}: endEpoch`, endEpoch, 0);
  if (endEpoch < startEpoch) {
    throw new RangeError(
      `${owner}: startEpoch (${startEpoch}) must be ≤ endEpoch (${endEpoch}): the schedule would start after it ends`,
    );
  }
  checkInteger(`${owner}: frequency`, frequency, 1);
  checkPositive(`${owner}: power`, power);
  return { targetDensity, startEpoch, endEpoch, frequency, power };
}

/**
 * The density a layer is pruned to at the end of `epoch`, or null when the schedule does not
 * prune then. Pruning happens at the end of epochs `startEpoch + k·frequency ≤ endEpoch` and
 * of `endEpoch`; with `p = (epoch − startEpoch + 1)/(endEpoch − startEpoch + 1)` the density
 * is `d_f + (1 − d_f)(1 − p)^power`, so it is exactly `d_f` after `endEpoch`.
 */
export function scheduledDensity(schedule: ResolvedPruningSchedule, epoch: number): number | null {
  const { targetDensity, startEpoch, endEpoch, frequency, power } = schedule;
  if (epoch < startEpoch || epoch > endEpoch) return null;
  if (epoch !== endEpoch && (epoch - startEpoch) % frequency !== 0) return null;
  if (epoch === endEpoch) return targetDensity;
  const p = (epoch - startEpoch + 1) / (endEpoch - startEpoch + 1);
  return targetDensity + (1 - targetDensity) * (1 - p) ** power;
}
