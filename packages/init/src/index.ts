export type { SparsityGroups } from '@bregman/core-prox';
export { SPARSITY_GROUPS } from '@bregman/core-prox';
export { groupReduceAxes, groupShape } from './groups.js';
export type { Initializer, InitializerClass } from './initializer-base.js';
export { InitializerBase } from './initializer-base.js';
export type { MaskOptions } from './mask.js';
export { bernoulliMask } from './mask.js';
export type { PositiveUniformOptions } from './positive-uniform.js';
export { PositiveUniform } from './positive-uniform.js';
export { deriveSeed } from './seed.js';
export type { SparseDraw, SparseInitOptions, ValueDistribution } from './sparse-initializer.js';
export { SparseInitializer, sparseInit, VALUE_DISTRIBUTIONS } from './sparse-initializer.js';
export type {
  BiasInit,
  GroupsByKind,
  LayerLike,
  SparsifiedLayer,
  SparsifyOptions,
  SparsifyReport,
} from './sparsify-model.js';
export { BIAS_INITS, SPARSIFIABLE_LAYERS, sparsifyModel } from './sparsify-model.js';
export type { Fans, VarianceRule } from './variance.js';
export { computeFans, VARIANCE_RULES, varianceOf } from './variance.js';
