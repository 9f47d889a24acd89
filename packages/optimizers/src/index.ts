export type { AdaBregOptions } from './ada-breg.js';
export { AdaBreg } from './ada-breg.js';
export { adamDirection } from './adam-direction.js';
export type { BregmanOptions } from './bregman-optimizer.js';
export { BregmanOptimizer } from './bregman-optimizer.js';
export type {
  DensityAdjustment,
  DensityControllerOptions,
  DensityControllerRecord,
} from './density-controller.js';
export { DensityController } from './density-controller.js';
export type { Direction } from './direction.js';
export type {
  FusedAdamStepAttrs,
  FusedAdamStepResult,
  FusedMirrorAttrs,
  FusedMomentumStepAttrs,
  FusedMomentumStepResult,
  FusedSgdStepAttrs,
  FusedStepResult,
} from './fused-steps.js';
export {
  FUSED_ADAM_STEP_KERNEL,
  FUSED_MOMENTUM_STEP_KERNEL,
  FUSED_SGD_STEP_KERNEL,
  fusedAdamStep,
  fusedMomentumStep,
  fusedSgdStep,
} from './fused-steps.js';
export type {
  LambdaSchedulerOptions,
  LambdaSchedulerRecord,
} from './lambda-scheduler.js';
export { LambdaScheduler } from './lambda-scheduler.js';
export { getLearningRate, setLearningRate } from './learning-rate.js';
export type { LinBregOptions } from './lin-breg.js';
export { LinBreg } from './lin-breg.js';
export { mirrorInit, mirrorMap } from './mirror-step.js';
export { momentumDirection } from './momentum-direction.js';
export type { NamedTensor } from './optimizer-weights.js';
export { renameOptimizerWeights } from './optimizer-weights.js';
export type {
  ReduceLROnPlateauOptions,
  ReduceLROnPlateauState,
} from './reduce-lr-on-plateau.js';
export { ReduceLROnPlateau } from './reduce-lr-on-plateau.js';
export type { RegularizedOptions } from './regularized-optimizer.js';
export { RegularizedOptimizer } from './regularized-optimizer.js';
export type { LayerRegularizers, RulesForModelOptions } from './rules-for-model.js';
export { rulesForModel } from './rules-for-model.js';
export { sgdDirection } from './sgd-direction.js';
export { SlotStore } from './slot-store.js';
