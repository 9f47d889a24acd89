import {
  checkOutputLayerPolicy,
  checkPositive,
  type GraphLayer,
  modelKernels,
  type OutputLayerPolicy,
  outputKernelLayers,
  SPARSITY_GROUPS,
  type SparsityGroups,
} from '@bregman/core-prox';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel, LayerVariable } from '@tensorflow/tfjs-layers';
import { PositiveUniform } from './positive-uniform.js';
import { deriveSeed } from './seed.js';
import { SparseInitializer, type SparseInitOptions } from './sparse-initializer.js';
import { checkOneOf, checkSeed } from './validation.js';
import { computeFans } from './variance.js';

/** What {@link sparsifyModel} does with the biases of the layers it re-initializes. */
export type BiasInit = 'keep' | 'zeros' | 'positiveUniform';

/** Every {@link BiasInit}. */
export const BIAS_INITS = ['keep', 'zeros', 'positiveUniform'] as const;

/** Layer classes whose kernels {@link sparsifyModel} re-initializes. */
export const SPARSIFIABLE_LAYERS = ['Dense', 'Conv1D', 'Conv2D', 'Conv3D'] as const;

/** The part of a tfjs layer that {@link sparsifyModel} reads. */
export interface LayerLike {
  /** The layer's name. */
  name: string;
  /** tfjs's class name, e.g. `'Dense'`, `'Conv2D'`, `'Sequential'`. */
  getClassName(): string;
  /** The layer's own variables (never dispose them). */
  weights: LayerVariable[];
  /** Inner layers of a nested model. */
  layers?: LayerLike[];
}

/** Groups per layer kind (see {@link SparsifyOptions.groups}). */
export interface GroupsByKind {
  /** Groups of Dense kernels: `'entry'` (default) or `'neuron'`. */
  dense?: SparsityGroups;
  /** Groups of conv kernels: `'entry'` (default), `'neuron'` (filters) or `'kernel'`. */
  conv?: SparsityGroups;
}

/** Options of {@link sparsifyModel}. */
export interface SparsifyOptions extends Omit<SparseInitOptions, 'groups' | 'seed'> {
  /**
   * Groups for every layer (`'kernel'` is then an error on a Dense layer), or per kind:
   * `{dense: 'neuron', conv: 'kernel'}` (defaults `'entry'`).
   */
  groups?: SparsityGroups | GroupsByKind;
  /**
   * Biases of the re-initialized layers: `'keep'` (default), `'zeros'`, or
   * `'positiveUniform'`: `U(0, c/√fan_in)` (paper §4.1, for ReLU nets).
   */
  bias?: BiasInit;
  /** c of the positive uniform biases (default 1). */
  biasScale?: number;
  /** Integer seed: the same model, options and seed give the same weights. */
  seed?: number;
  /** Which layers to re-initialize (default: every Dense and Conv layer, nested ones too). */
  filter?: (layer: LayerLike) => boolean;
  /**
   * What happens to the output layer(s) — the Dense / Conv layers that compute the model's
   * outputs (`outputKernelLayers` of `@bregman/core-prox`), on top of `filter`:
   * `'entrywiseOnly'` (default) re-initializes them with `'entry'` groups like the others
   * but leaves them as they are when their groups would be `'neuron'` or `'kernel'` (at
   * density r a neuron-sparse 10-class output layer starts with about 10·r live classes,
   * at 5 % most likely none, and the loss cannot move); `'include'` treats them like every
   * other layer; `'exclude'` always leaves them as they are. The report lists the layers
   * left out in `outputLayersLeft`.
   */
  outputLayer?: OutputLayerPolicy;
}

/** What {@link sparsifyModel} did to one layer (measured after the fact). */
export interface SparsifiedLayer {
  /** The layer's name. */
  name: string;
  /** Its class, e.g. `'Dense'` or `'Conv2D'`. */
  className: string;
  /** The kernel's shape. */
  kernelShape: number[];
  /** The groups one Bernoulli draw switched on or off. */
  groups: SparsityGroups;
  /** Groups drawn non-zero. */
  groupsKept: number;
  /** All groups of the kernel. */
  groupsTotal: number;
  /** Non-zero kernel entries. */
  nonZero: number;
  /** Kernel entries. */
  size: number;
  /** `nonZero / size`. */
  density: number;
  /** Standard deviation of the kept values, `gain·√(α/r)`. */
  stddev: number;
  /** What happened to the bias: `'none'` when the layer has none. */
  bias: BiasInit | 'none';
}

/** The report of {@link sparsifyModel}. */
export interface SparsifyReport {
  /** One entry per re-initialized layer, in model order. */
  layers: SparsifiedLayer[];
  /**
   * Names of the output layers left as they were because of
   * {@link SparsifyOptions.outputLayer} (by default: those whose groups would be `'neuron'`
   * or `'kernel'`).
   */
  outputLayersLeft: string[];
  /** Non-zero entries over all re-initialized kernels. */
  nonZero: number;
  /** Entries of all re-initialized kernels. */
  size: number;
  /** `nonZero / size`. */
  density: number;
}

/**
 * Re-initializes, in place, the kernels of every Dense and Conv layer of a built model with
 * the sparse initialization of paper §4.1 ({@link SparseInitializer}) and optionally its
 * biases with positive uniform values, and reports what it drew. Variables keep their
 * identity (an optimizer or a training loop that holds them keeps working); nothing of the
 * model is disposed.
 *
 * The output layer gets no group sparsity unless asked: with `groups: 'neuron'` (or
 * `'kernel'`) it keeps its weights, see {@link SparsifyOptions.outputLayer}.
 *
 * @example
 * ```ts
 * const report = sparsifyModel(model, { density: 0.01, groups: { conv: 'kernel' }, bias: 'positiveUniform', seed: 1 });
 * console.log(report.density); // ≈ 0.01
 * ```
 */
export function sparsifyModel(
  model: LayersModel | { layers: LayerLike[] },
  options: SparsifyOptions,
): SparsifyReport {
  const {
    groups,
    bias = 'keep',
    biasScale = 1,
    seed,
    filter,
    outputLayer = 'entrywiseOnly',
    ...init
  } = options ?? ({} as SparsifyOptions);
  checkOneOf('sparsifyModel: bias', bias, BIAS_INITS);
  checkOutputLayerPolicy('sparsifyModel: outputLayer', outputLayer);
  checkPositive('sparsifyModel: biasScale', biasScale);
  checkSeed('sparsifyModel: seed', seed);
  const groupsFor = groupsByKind(groups);
  // validates density, variance, gain, distribution before anything is touched
  new SparseInitializer({ ...init, groups: 'entry' });

  // core-prox's walker: nested models, TimeDistributed and shared layers (once) included
  const targets = modelKernels(model, 'sparsifyModel').flatMap((k) => {
    const layer = k.layer as unknown as LayerLike;
    const sparsifiable = (SPARSIFIABLE_LAYERS as readonly string[]).includes(k.kind);
    return sparsifiable && (filter?.(layer) ?? true) ? [layer] : [];
  });
  const outputs: ReadonlySet<unknown> = outputKernelLayers(model as GraphLayer);
  const outputLayersLeft: string[] = [];

  // check every target first: a bad option must not leave the model half re-initialized
  const plans = targets.flatMap((layer, index) => {
    const kernel = weightOf(layer, 'kernel');
    if (!kernel) throw new Error(`sparsifyModel: layer '${layer.name}' has no kernel`);
    const shape = kernel.shape as number[];
    const g = groupsFor(layer.getClassName() === 'Dense' ? 'dense' : 'conv');
    groupCount(shape, g, layer.name); // throws for groups the kernel's rank cannot have
    if (
      outputs.has(layer) &&
      (outputLayer === 'exclude' || (outputLayer === 'entrywiseOnly' && g !== 'entry'))
    ) {
      outputLayersLeft.push(layer.name);
      return [];
    }
    const initializer = new SparseInitializer({
      ...init,
      groups: g,
      ...(seed === undefined ? {} : { seed: deriveSeed(seed, index, 0) }),
    });
    // the index among all candidates: each layer's seed is the same whatever is left out
    return [{ layer, index, kernel, shape, initializer, groups: g }];
  });

  const layers: SparsifiedLayer[] = plans.map(
    ({ layer, index, kernel, shape, initializer, groups: g }) => {
      const { kernel: value, draws } = initializer.draw(shape);
      kernel.write(value);
      const groupsKept = Math.round(tf.tidy(() => tf.sum(draws).dataSync()[0]!));
      const nonZero = tf.tidy(() => tf.sum(tf.notEqual(value, 0)).dataSync()[0]!);
      tf.dispose([value, draws]);

      const biasVar = weightOf(layer, 'bias');
      if (biasVar && bias !== 'keep') {
        const shapeB = biasVar.shape as number[];
        const b =
          bias === 'zeros'
            ? tf.zeros(shapeB)
            : new PositiveUniform({
                fanIn: computeFans(shape).fanIn,
                scale: biasScale,
                ...(seed === undefined ? {} : { seed: deriveSeed(seed, index, 1) }),
              }).apply(shapeB);
        biasVar.write(b);
        b.dispose();
      }
      const size = shape.reduce((a, d) => a * d, 1);
      return {
        name: layer.name,
        className: layer.getClassName(),
        kernelShape: [...shape],
        groups: g,
        groupsKept,
        groupsTotal: groupCount(shape, g, layer.name),
        nonZero,
        size,
        density: nonZero / size,
        stddev: initializer.stddev(shape),
        bias: biasVar ? bias : 'none',
      };
    },
  );
  const nonZero = layers.reduce((n, l) => n + l.nonZero, 0);
  const size = layers.reduce((n, l) => n + l.size, 0);
  return {
    layers,
    outputLayersLeft,
    nonZero,
    size,
    density: size === 0 ? 0 : nonZero / size,
  };
}

/** The layer's variable named `<layer scope>/<suffix>`, if any. */
function weightOf(layer: LayerLike, suffix: string): LayerVariable | undefined {
  return layer.weights.find((w) => w.originalName.split('/').at(-1) === suffix);
}

/** Number of groups of a kernel of shape `shape`. */
function groupCount(shape: readonly number[], groups: SparsityGroups, layer: string): number {
  const rank = shape.length;
  if (groups === 'entry') return shape.reduce((a, d) => a * d, 1);
  if (groups === 'neuron') return shape[rank - 1]!;
  if (rank < 3) {
    throw new RangeError(
      `sparsifyModel: groups 'kernel' needs a convolution kernel (rank ≥ 3), but layer '${layer}' has a kernel of shape [${shape.join(', ')}]; use groups: {conv: 'kernel'} to leave Dense layers at 'entry'`,
    );
  }
  return shape[rank - 2]! * shape[rank - 1]!;
}

/** Resolves the `groups` option into a function of the layer kind. */
function groupsByKind(
  groups: SparsifyOptions['groups'],
): (kind: 'dense' | 'conv') => SparsityGroups {
  if (groups === undefined) return () => 'entry';
  if (typeof groups === 'string') {
    checkOneOf('sparsifyModel: groups', groups, SPARSITY_GROUPS);
    return () => groups;
  }
  const { dense = 'entry', conv = 'entry' } = groups;
  checkOneOf('sparsifyModel: groups.dense', dense, SPARSITY_GROUPS);
  checkOneOf('sparsifyModel: groups.conv', conv, SPARSITY_GROUPS);
  if (dense === 'kernel') {
    throw new RangeError(
      `sparsifyModel: groups.dense must be 'entry' or 'neuron' ('kernel' groups are [kh, kw] slices of conv kernels), got 'kernel'`,
    );
  }
  return (kind) => (kind === 'dense' ? dense : conv);
}
