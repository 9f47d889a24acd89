export type { BregmanDistanceOptions } from './bregman-distance-to.js';
export { bregmanDistanceTo } from './bregman-distance-to.js';
export type { EpochLoggerOptions, TextSink } from './epoch-logger.js';
export { EpochLogger } from './epoch-logger.js';
export { l1Norm } from './l1-norm.js';
export type { Measurements, MeasureOptions } from './measure.js';
export { measure } from './measure.js';
export type { AnyCallback, MixCallbacksOptions } from './mix-callbacks.js';
export { mixCallbacks } from './mix-callbacks.js';
export type { WeightsReference } from './reference.js';
export { snapshotWeights } from './reference.js';
export { regularizerValue } from './regularizer-value.js';
export type { KeptCheckpoint, SparsestCheckpointOptions } from './sparsest-checkpoint.js';
export { SparsestCheckpoint } from './sparsest-checkpoint.js';
export type {
  Conv2DSparsity,
  ConvLayerKind,
  ConvSparsity,
  DenseSparsity,
  KernelSparsity,
  LayerSparsity,
  SparsityReport,
} from './sparsity.js';
export { sparsity } from './sparsity.js';
export type { SparsityLogEntry, SparsityLoggerOptions } from './sparsity-logger.js';
export { SparsityLogger, sparsityLogs } from './sparsity-logger.js';
