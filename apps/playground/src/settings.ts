/** The optimizers the page offers (see {@link OPTIMIZERS}). */
export type OptimizerKind = 'sgd' | 'linbreg' | 'linbreg-momentum' | 'adabreg' | 'proxgd';

/** The regularizers the page offers (see {@link REGULARIZERS}). */
export type RegularizerKind = 'l1' | 'neuron';

/** Which tfjs backend a run uses: `'auto'` picks the fastest this browser has. */
export type BackendRequest = 'auto' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** Everything that defines one run; changing any of it starts the run over. */
export interface RunSettings {
  /** The optimizer. */
  optimizer: OptimizerKind;
  /** The regularizer on the Dense kernels (not used by SGD). */
  regularizer: RegularizerKind;
  /** λ of the regularizer, > 0. */
  lambda: number;
  /** Learning rate τ, > 0. */
  learningRate: number;
  /** Fraction of non-zero weights (ℓ1) or neurons (neuron sparsity) at initialization, (0, 1]. */
  initDensity: number;
  /** Mini-batch size, an integer ≥ 1. */
  batchSize: number;
  /** Seed of the initialization and of the batch order, an integer in [0, 2³²). */
  seed: number;
  /** The backend. */
  backend: BackendRequest;
}

/** The page's optimizers: label and default learning rate (the paper's, §4.2). */
export const OPTIMIZERS: Readonly<Record<OptimizerKind, { label: string; learningRate: number }>> =
  {
    sgd: { label: 'SGD (no regularizer)', learningRate: 0.1 },
    linbreg: { label: 'LinBreg', learningRate: 0.1 },
    'linbreg-momentum': { label: 'LinBreg with momentum (β = 0.9)', learningRate: 0.1 },
    adabreg: { label: 'AdaBreg', learningRate: 1e-3 },
    proxgd: { label: 'ProxGD (lasso)', learningRate: 0.1 },
  };

/** The page's regularizers with their labels. */
export const REGULARIZERS: Readonly<Record<RegularizerKind, string>> = {
  l1: 'ℓ1 (single weights)',
  neuron: 'neuron group sparsity (ℓ1,2)',
};

/** The backend choices with their labels. */
export const BACKEND_REQUESTS: Readonly<Record<BackendRequest, string>> = {
  auto: 'auto (fastest)',
  webgpu: 'WebGPU',
  webgl: 'WebGL',
  wasm: 'wasm',
  cpu: 'cpu (plain JavaScript)',
};

/** LinBreg's momentum β for `'linbreg-momentum'` (the paper's §4.2 value). */
export const LINBREG_MOMENTUM = 0.9;

/** The defaults: LinBreg, ℓ1 with λ = 0.01 (Fig. 2), sparse init r = 0.01, batch 128. */
export const DEFAULT_SETTINGS: Readonly<RunSettings> = {
  optimizer: 'linbreg',
  regularizer: 'l1',
  lambda: 0.01,
  learningRate: 0.1,
  initDensity: 0.01,
  batchSize: 128,
  seed: 1,
  backend: 'auto',
};

function checkOneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new RangeError(
      `${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(value)}`,
    );
  }
  return value as T;
}

function checkPositive(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${name} must be a finite number > 0, got ${String(value)}`);
  }
  return value;
}

function checkInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

/**
 * Checks every field of `settings` and returns a copy; a bad field throws a `RangeError` that
 * names it and says what is allowed.
 */
export function checkSettings(settings: RunSettings): RunSettings {
  if (typeof settings !== 'object' || settings === null) {
    throw new TypeError(`settings must be an object, got ${String(settings)}`);
  }
  const initDensity = checkPositive('initDensity', settings.initDensity);
  if (initDensity > 1) throw new RangeError(`initDensity must be ≤ 1, got ${initDensity}`);
  return {
    optimizer: checkOneOf(
      'optimizer',
      settings.optimizer,
      Object.keys(OPTIMIZERS) as OptimizerKind[],
    ),
    regularizer: checkOneOf(
      'regularizer',
      settings.regularizer,
      Object.keys(REGULARIZERS) as RegularizerKind[],
    ),
    lambda: checkPositive('lambda', settings.lambda),
    learningRate: checkPositive('learningRate', settings.learningRate),
    initDensity,
    batchSize: checkInteger('batchSize', settings.batchSize, 1, 4096),
    seed: checkInteger('seed', settings.seed, 0, 2 ** 32 - 1),
    backend: checkOneOf(
      'backend',
      settings.backend,
      Object.keys(BACKEND_REQUESTS) as BackendRequest[],
    ),
  };
}

/** A one-line description, e.g. `LinBreg, ℓ1 λ = 0.01, τ = 0.1`. */
export function describeSettings(settings: RunSettings): string {
  const name = OPTIMIZERS[settings.optimizer].label.replace(/ \(.*\)$/, '');
  const regularizer =
    settings.optimizer === 'sgd'
      ? ''
      : `, ${settings.regularizer === 'l1' ? 'ℓ1' : 'neurons ℓ1,2'} λ = ${settings.lambda}`;
  return `${name}${regularizer}, τ = ${settings.learningRate}`;
}
