import { checkFraction } from '@bregman/core-prox';
import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { largestUnitsMask } from './magnitude-mask.js';
import { type GroupSelection, type PruningUnit, prunableKernels } from './model-kernels.js';
import {
  type PruningSchedule,
  type ResolvedPruningSchedule,
  resolvePruningSchedule,
  scheduledDensity,
} from './pruning-schedule.js';

/** Options of {@link MagnitudePruning}: the schedule and what a unit is. */
export interface MagnitudePruningOptions extends PruningSchedule {
  /**
   * Prune whole neurons (Dense) / conv kernels (Conv2D), ranked by their Euclidean norm,
   * instead of single weights. Default false (unstructured, as in Han et al.).
   */
  groups?: GroupSelection;
}

/** One kernel's state after a pruning step. */
export interface PrunedKernel {
  /** The layer's name. */
  layer: string;
  /** The kernel variable's name. */
  variable: string;
  /** What is ranked and removed: single weights, or whole neurons / conv kernels. */
  unit: PruningUnit;
  /** Units kept: `max(1, round(density·units))`. */
  kept: number;
  /** Units of the kernel (entries, neurons or kernels). */
  units: number;
  /** Entries kept: `kept ×` entries per unit. */
  keptWeights: number;
  /** Entries of the kernel. */
  size: number;
}

/** One pruning step of {@link MagnitudePruning}. */
export interface PruningRecord {
  /** The epoch at whose end it ran (null for a direct call of `prune`). */
  epoch: number | null;
  /** The density every kernel was pruned to. */
  density: number;
  /** Per kernel, in layer order. */
  layers: PrunedKernel[];
  /** Entries kept over all kernels. */
  keptWeights: number;
  /** Entries of all kernels. */
  size: number;
}

interface KernelMask {
  variable: Variable;
  /** 0/1 at unit level; broadcasts over each group. */
  mask: Tensor;
}

/**
 * Iterative magnitude pruning with retraining (Han et al. 2015, the paper's [30]; the
 * "Pruning" rows of Tables 1–2), as a tfjs callback for `model.fit` with any optimizer.
 *
 * At the end of the scheduled epochs it removes, in every `Dense` and `Conv2D` kernel
 * separately, the weights (or whole neurons / conv kernels, `groups`) of smallest magnitude,
 * so that the layer keeps `max(1, round(d·units))` units, with the density `d` following the
 * ramp of {@link PruningSchedule} down to `targetDensity`, reached exactly at the end of
 * `endEpoch`. The remaining epochs retrain the pruned net. Removed weights stay exactly zero:
 * the masks are re-applied after every optimizer step (`onBatchEnd`), which also undoes what
 * momentum or Adam's moments would move them by. Masks only shrink: a pruned weight never
 * returns. Biases are never pruned.
 *
 * One tfjs detail: `model.fit` evaluates `validationData` inside the epoch's last training
 * step, before `onBatchEnd`; those validation metrics see pruned weights moved by that one
 * step. The weights after `fit`, and every batch after the first pruning, are exactly masked.
 *
 * In a custom training loop call `setModel(model)`, then {@link MagnitudePruning.prune} when
 * the schedule says so and {@link MagnitudePruning.applyMasks} after each optimizer step.
 *
 * @example
 * ```ts
 * const pruning = new MagnitudePruning({ targetDensity: 0.05, startEpoch: 2, endEpoch: 20 });
 * await model.fit(x, y, { epochs: 30, callbacks: [pruning] }); // epochs 21–29 retrain
 * ```
 */
export class MagnitudePruning extends tfl.Callback {
  /** The validated schedule (defaults filled in). */
  readonly schedule: ResolvedPruningSchedule;
  /** Which layer kinds are pruned by whole groups. */
  readonly groups: GroupSelection;
  /** Every pruning step so far. */
  readonly history: PruningRecord[] = [];
  private readonly masks = new Map<string, KernelMask>();
  private finished = false;
  private lastDensity = 1;

  constructor(options: MagnitudePruningOptions) {
    super();
    this.schedule = resolvePruningSchedule(options);
    this.groups = options.groups ?? false;
  }

  /** Whether the last scheduled pruning step (at the end of `endEpoch`) has run. */
  get done(): boolean {
    return this.finished;
  }

  /** The density the schedule prunes to at the end of `epoch`, or null if it does not prune then. */
  densityAt(epoch: number): number | null {
    return scheduledDensity(this.schedule, epoch);
  }

  /**
   * Prunes every Dense / Conv2D kernel of the attached model now, to `density` per kernel
   * (`max(1, round(density·units))` units kept), and applies the masks. `density` may not
   * exceed the density pruned to before: pruned weights never return.
   */
  prune(density: number, epoch: number | null = null): PruningRecord {
    checkFraction('MagnitudePruning.prune: density', density);
    if (density > this.lastDensity) {
      throw new RangeError(
        `MagnitudePruning.prune: density (${density}) must be ≤ the density already pruned to (${this.lastDensity}): pruned weights never return`,
      );
    }
    if (!this.model) throw new Error('MagnitudePruning: not attached to a model (setModel)');
    const kernels = prunableKernels(this.model, this.groups, 'MagnitudePruning');
    for (const { variable } of kernels) {
      const previous = this.masks.get(variable.name);
      if (previous && previous.variable !== variable) {
        throw new Error(
          `MagnitudePruning: variable '${variable.name}' is not the one masked before; one MagnitudePruning serves one model (dispose() to start over)`,
        );
      }
    }
    const layers: PrunedKernel[] = kernels.map(({ layer, variable, unit, reduceAxes }) => {
      const previous = this.masks.get(variable.name);
      const groupSize = reduceAxes.reduce((n, axis) => n * (variable.shape[axis] as number), 1);
      const units = variable.size / groupSize;
      // round and max are monotone: a lower density never keeps more units than before
      const kept = Math.max(1, Math.round(density * units));
      const mask = largestUnitsMask(variable, reduceAxes, kept, previous?.mask);
      previous?.mask.dispose();
      this.masks.set(variable.name, { variable, mask });
      return {
        layer,
        variable: variable.name,
        unit,
        kept,
        units,
        keptWeights: kept * groupSize,
        size: variable.size,
      };
    });
    this.lastDensity = density;
    this.applyMasks();
    const record: PruningRecord = {
      epoch,
      density,
      layers,
      keptWeights: layers.reduce((n, l) => n + l.keptWeights, 0),
      size: layers.reduce((n, l) => n + l.size, 0),
    };
    this.history.push(record);
    return record;
  }

  /** Zeroes the pruned weights again (`θ ← θ ⊙ mask`); no read-back, cheap enough per step. */
  applyMasks(): void {
    tf.tidy(() => {
      for (const { variable, mask } of this.masks.values()) {
        variable.assign(tf.mul(variable, mask));
      }
    });
  }

  /** The 0/1 mask of a kernel (at unit level: `[1, nOut]` for neurons), if it was pruned. */
  maskOf(variableName: string): Tensor | undefined {
    return this.masks.get(variableName)?.mask;
  }

  /**
   * Checks the schedule against this `fit` call: until the last pruning step has run, the
   * schedule must end inside the epochs `fit` runs (`endEpoch < epochs`,
   * `initialEpoch ≤ endEpoch`).
   */
  override async onTrainBegin(): Promise<void> {
    if (this.finished) return;
    const epochs = this.params?.epochs;
    const initialEpoch = (this.params?.initialEpoch as number | undefined) ?? 0;
    if (typeof epochs !== 'number') return;
    const { endEpoch } = this.schedule;
    if (endEpoch >= epochs) {
      throw new RangeError(
        `MagnitudePruning: endEpoch (${endEpoch}) must be < the epochs of model.fit (${epochs}): the schedule would end after training and never reach targetDensity`,
      );
    }
    if (initialEpoch > endEpoch) {
      throw new RangeError(
        `MagnitudePruning: the schedule ends at epoch ${endEpoch}, before model.fit's initialEpoch (${initialEpoch}), and its last pruning step has not run`,
      );
    }
  }

  /** Re-applies the masks after every optimizer step. */
  override async onBatchEnd(): Promise<void> {
    this.applyMasks();
  }

  /** Prunes when the schedule says so. */
  override async onEpochEnd(epoch: number): Promise<void> {
    if (this.finished) return;
    const density = this.densityAt(epoch);
    if (density === null) return;
    this.prune(density, epoch);
    if (epoch === this.schedule.endEpoch) this.finished = true;
  }

  /** Disposes the masks (the model's weights are untouched); the pruning can start over. */
  dispose(): void {
    for (const { mask } of this.masks.values()) mask.dispose();
    this.masks.clear();
    this.lastDensity = 1;
    this.finished = false;
  }
}
