export {
  checkCount,
  checkFraction,
  checkInteger,
  checkNonNegative,
  checkPositive,
  checkUnitInterval,
} from './argument-checks.js';
export { bregmanDistance, symmetricBregmanDistance } from './bregman-distance.js';
export { elasticNet } from './elastic-net.js';
export type { L1Options } from './entrywise-regularizer.js';
export { EntrywiseRegularizer } from './entrywise-regularizer.js';
export type { RegularizerRebuilder } from './from-config.js';
export { registerRegularizer, regularizerFromConfig, regularizerTypes } from './from-config.js';
export { GroupL12 } from './group-l12.js';
export type { GroupOptions } from './group-regularizer.js';
export { GroupRegularizer } from './group-regularizer.js';
export type { Groups } from './groups.js';
export { groupMagnitudes } from './groups.js';
export { L1 } from './l1.js';
export { L1Positive } from './l1-positive.js';
export type {
  KernelGroupAxes,
  KernelLayer,
  KernelLayerKind,
  KernelVariable,
  ModelKernel,
  SparsityGroups,
} from './model-kernels.js';
export {
  KERNEL_LAYER_KINDS,
  kernelGroupAxes,
  modelKernels,
  SPARSITY_GROUPS,
} from './model-kernels.js';
export { NoRegularizer } from './no-regularizer.js';
export type { GraphLayer, GraphNode, GraphWeight, OutputLayerPolicy } from './output-layers.js';
export {
  checkOutputLayerPolicy,
  OUTPUT_LAYER_POLICIES,
  outputKernelLayers,
} from './output-layers.js';
export type {
  ElasticNetConfig,
  EntrywiseRegularizerConfig,
  GroupRegularizerConfig,
  NoRegularizerConfig,
  Regularizer,
  RegularizerConfig,
  RegularizerConfigBase,
  RegularizerType,
} from './regularizer.js';
export { Rng } from './rng.js';
export type { EncodedRegExp, RegularizerRule, RegularizerRuleConfig } from './rules.js';
export {
  checkRules,
  checkRulesMatch,
  regularizerForName,
  ruleMatches,
  rulesFromConfig,
  rulesToConfig,
} from './rules.js';
export { SparseGroupLasso } from './sparse-group-lasso.js';
export { checkOptionsObject, checkRegularizer } from './validation.js';
