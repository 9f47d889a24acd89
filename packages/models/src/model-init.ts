import {
  deriveSeed,
  type GroupsByKind,
  type Initializer,
  PositiveUniform,
  SparseInitializer,
  type ValueDistribution,
  type VarianceRule,
} from '@bregman/init';

/** How a builder initializes kernels and biases (paper §4.1; `@bregman/init`). */
export interface ModelInit {
  /**
   * r ∈ (0, 1]: the expected fraction of non-zero kernel entries (or groups). Default 1: a
   * dense initialization with the same variance rule. The paper's Bregman runs use 0.01.
   */
  density?: number;
  /** Groups per layer kind, e.g. `{conv: 'kernel'}` (Table 2) or `{dense: 'neuron'}` (§4.6). */
  groups?: GroupsByKind;
  /** α: default `'he'` for ReLU nets, `'glorot'` for other activations. */
  variance?: VarianceRule;
  /** Standard-deviation multiplier (the paper's MLP: 0.7). Default 1. */
  gain?: number;
  /** Distribution of the kept values (default `'normal'`). */
  distribution?: ValueDistribution;
  /** Biases: `'positiveUniform'` `U(0, c/√fan_in)` (default, §4.1) or `'zeros'`. */
  bias?: 'positiveUniform' | 'zeros';
  /** c of the positive uniform biases (default 1). */
  biasScale?: number;
  /** Integer seed: the same seed builds the same weights (each layer its own stream). */
  seed?: number;
}

/** The initializers of one Dense / Conv layer. */
export interface LayerInitializers {
  /** For `kernelInitializer`. */
  kernelInitializer: Initializer;
  /** For `biasInitializer`. */
  biasInitializer: Initializer | 'zeros';
}

/**
 * The initializers for the `index`-th Dense / Conv layer of a builder.
 *
 * @param kind - which entry of `init.groups` applies.
 * @param fanIn - the layer's fan-in (for the positive uniform biases).
 * @param relu - whether the net uses ReLU (picks the default variance rule).
 */
export function layerInitializers(
  init: ModelInit,
  index: number,
  kind: 'dense' | 'conv',
  fanIn: number,
  relu: boolean,
): LayerInitializers {
  const seed = init.seed;
  const kernelInitializer = new SparseInitializer({
    density: init.density ?? 1,
    groups: init.groups?.[kind] ?? 'entry',
    variance: init.variance ?? (relu ? 'he' : 'glorot'),
    gain: init.gain ?? 1,
    distribution: init.distribution ?? 'normal',
    ...(seed === undefined ? {} : { seed: deriveSeed(seed, index, 0) }),
  });
  const bias = init.bias ?? 'positiveUniform';
  if (bias !== 'positiveUniform' && bias !== 'zeros') {
    throw new RangeError(
      `init.bias must be 'positiveUniform' or 'zeros', got ${JSON.stringify(bias)}`,
    );
  }
  if (init.groups?.dense === 'kernel') {
    throw new RangeError(
      `init.groups.dense must be 'entry' or 'neuron' ('kernel' groups are [kh, kw] slices of conv kernels), got 'kernel'`,
    );
  }
  const biasInitializer =
    bias === 'zeros'
      ? 'zeros'
      : new PositiveUniform({
          fanIn,
          scale: init.biasScale ?? 1,
          ...(seed === undefined ? {} : { seed: deriveSeed(seed, index, 1) }),
        });
  return { kernelInitializer, biasInitializer };
}
