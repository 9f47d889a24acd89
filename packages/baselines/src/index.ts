export type {
  MagnitudePruningOptions,
  PrunedKernel,
  PruningRecord,
} from './magnitude-pruning.js';
export { MagnitudePruning } from './magnitude-pruning.js';
export type { GroupSelection, GroupsByLayer, PruningUnit } from './model-kernels.js';
export type { ProxGDOptions } from './prox-gd.js';
export { ProxGD } from './prox-gd.js';
export type { PruningSchedule, ResolvedPruningSchedule } from './pruning-schedule.js';
export { SparsityPenalty } from './sparsity-penalty.js';
export type { ThresholdLayerReport, ThresholdOptions, ThresholdReport } from './threshold.js';
export { threshold } from './threshold.js';
export { thresholdForDensity } from './threshold-for-density.js';
