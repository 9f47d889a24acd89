import {
  type Regularizer,
  type RegularizerConfig,
  regularizerFromConfig,
} from '@bregman/core-prox';

/** `J` with λ multiplied by `factor` (rebuilt from its config; `None` stays `None`). */
export function scaledRegularizer(J: Regularizer, factor: number): Regularizer {
  const scale = (config: RegularizerConfig): RegularizerConfig =>
    config.type === 'ElasticNet'
      ? { ...config, lambda: config.lambda * factor, base: scale(config.base) }
      : config.type === 'None'
        ? config
        : { ...config, lambda: config.lambda * factor };
  return regularizerFromConfig(scale(J.getConfig()));
}
