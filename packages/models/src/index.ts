export type { ActivationName } from './activation.js';
export type { CompactedLayer, CompactOptions, CompactResult } from './compact.js';
export { compact, compactAsync } from './compact.js';
export type { ConvNetOptions } from './conv-net.js';
export { convNet } from './conv-net.js';
export type { ModelCost } from './cost.js';
export { modelCost } from './cost.js';
export type { DenoiserOptions } from './denoiser.js';
export { denoiser } from './denoiser.js';
export type { LiveLayer, PassStage, StagePlan, WeightedStage } from './live-units.js';
export { liveUnits, stagePlan } from './live-units.js';
export type { MlpOptions } from './mlp.js';
export { mlp } from './mlp.js';
export type { LayerInitializers, ModelInit } from './model-init.js';
export { layerInitializers } from './model-init.js';
export type { ResNet18Options } from './resnet18.js';
export { resnet18 } from './resnet18.js';
export type {
  SparseAwareGradients,
  SparseAwareMode,
  SparseAwareStepOptions,
} from './sparse-aware-step.js';
export { ANALYSIS_COST_PER_WEIGHT, SparseAwareStep } from './sparse-aware-step.js';
export type { LayerArgs, StandardizeArgs } from './standardize.js';
export { Standardize } from './standardize.js';
export { STANDARDIZE_KERNEL, standardize } from './standardize-op.js';
