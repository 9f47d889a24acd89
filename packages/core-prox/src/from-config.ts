import { elasticNet } from './elastic-net.js';
import type { L1Options } from './entrywise-regularizer.js';
import { GroupL12 } from './group-l12.js';
import type { GroupOptions } from './group-regularizer.js';
import { L1 } from './l1.js';
import { L1Positive } from './l1-positive.js';
import { NoRegularizer } from './no-regularizer.js';
import type { ElasticNetConfig, Regularizer, RegularizerConfigBase } from './regularizer.js';
import { SparseGroupLasso } from './sparse-group-lasso.js';

/**
 * Rebuilds one type of regularizer from its `getConfig()`. The config is untrusted JSON that
 * has the registered `type`: check its other fields (the built-in constructors do). For a
 * regularizer that wraps another (like an elastic net), `fromConfig` rebuilds the inner one.
 */
export type RegularizerRebuilder = (
  config: RegularizerConfigBase,
  fromConfig: (config: RegularizerConfigBase) => Regularizer,
) => Regularizer;

const rebuilders = new Map<string, RegularizerRebuilder>();

/**
 * Registers how to rebuild a regularizer type from its `getConfig()`, so that
 * {@link regularizerFromConfig} — and with it saved optimizers, rules and models that use it
 * — can load it. The built-in types are registered already; registering a taken name is an
 * error.
 *
 * @example
 * ```ts
 * registerRegularizer('MyPenalty', (config) => new MyPenalty(config as MyPenaltyConfig));
 * ```
 */
export function registerRegularizer(type: string, rebuild: RegularizerRebuilder): void {
  if (typeof type !== 'string' || type === '') {
    throw new TypeError(
      `registerRegularizer: type must be a non-empty string, got ${String(type)}`,
    );
  }
  if (typeof rebuild !== 'function') {
    throw new TypeError(`registerRegularizer: rebuild must be a function, got ${typeof rebuild}`);
  }
  if (rebuilders.has(type)) {
    throw new Error(`registerRegularizer: '${type}' is registered already`);
  }
  rebuilders.set(type, rebuild);
}

/** The type names {@link regularizerFromConfig} can rebuild: the built-ins and those registered. */
export function regularizerTypes(): string[] {
  return [...rebuilders.keys()];
}

registerRegularizer('L1', (config) => new L1(config as unknown as L1Options));
registerRegularizer('L1Positive', (config) => new L1Positive(config as unknown as L1Options));
registerRegularizer('GroupL12', (config) => new GroupL12(config as unknown as GroupOptions));
registerRegularizer(
  'SparseGroupLasso',
  (config) => new SparseGroupLasso(config as unknown as GroupOptions),
);
registerRegularizer('None', () => new NoRegularizer());
registerRegularizer('ElasticNet', (config, fromConfig) => {
  const { base, delta } = config as ElasticNetConfig;
  return elasticNet(fromConfig(base), delta);
});

/**
 * Rebuilds a regularizer from its `getConfig()` (the inverse of `getConfig`), e.g. when an
 * optimizer is deserialized. The config is checked as untrusted JSON: an unknown `type`
 * or a bad field is an error that names it and the allowed values.
 *
 * @example
 * ```ts
 * const J = regularizerFromConfig({ type: 'GroupL12', lambda: 0.1, reduceAxes: [0, 1] });
 * ```
 */
export function regularizerFromConfig(config: RegularizerConfigBase): Regularizer {
  if (typeof config !== 'object' || config === null) {
    throw new TypeError(`regularizerFromConfig: config must be an object, got ${String(config)}`);
  }
  const type = (config as { type?: unknown }).type;
  const rebuild = typeof type === 'string' ? rebuilders.get(type) : undefined;
  if (!rebuild) {
    throw new TypeError(
      `regularizerFromConfig: config.type must be one of ${regularizerTypes()
        .map((t) => `'${t}'`)
        .join(', ')}, got ${JSON.stringify(type)}`,
    );
  }
  return rebuild(config, regularizerFromConfig);
}
