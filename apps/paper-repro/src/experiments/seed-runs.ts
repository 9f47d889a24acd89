import type { DataSpec, FinishSpec, MethodSpec, ProfileName, RunSpec } from '../shared/spec.js';

/** The last epoch of magnitude pruning: the first ~60% of the epochs prune, the rest retrain. */
export function pruningEndEpoch(epochs: number): number {
  return Math.max(1, Math.ceil(0.6 * epochs));
}

/** The paper's learning-rate rule: halve on a training-loss plateau (PyTorch's defaults it used). */
export const PAPER_PLATEAU = { factor: 0.5, patience: 5, threshold: 0.01 } as const;

/** Epochs, seeds and data limits of an experiment's runs in one profile. */
export interface ProfileSettings {
  epochs: number;
  seeds: number;
  limits: Partial<DataSpec>;
}

/**
 * MNIST or Fashion-MNIST as the paper's experiments split it: 55,000 training and 5,000
 * validation images (split seed 0), 10,000 test, as `layout`, cut to a profile's `limits`.
 */
export function mnistSplit(
  dataset: 'mnist' | 'fashion-mnist',
  layout: DataSpec['layout'],
  limits: Partial<DataSpec>,
): DataSpec {
  return { dataset, validationSize: 5000, splitSeed: 0, layout, ...limits };
}

/** What every run of an experiment shares. */
export type SharedRunSpec = Omit<
  RunSpec,
  'experiment' | 'profile' | 'runId' | 'method' | 'seed' | 'finish'
>;

/**
 * The runs of an experiment: every method × seed 1 … `seeds`, run id `<method>-s<seed>`,
 * with the end-of-run analyses `finish(method)` asks for.
 */
export function seedRuns(
  experiment: string,
  profile: ProfileName,
  methods: readonly MethodSpec[],
  seeds: number,
  shared: SharedRunSpec,
  finish: (method: MethodSpec) => FinishSpec | undefined = () => undefined,
): RunSpec[] {
  return methods.flatMap((method) =>
    Array.from({ length: seeds }, (_, i) => {
      const extra = finish(method);
      return {
        experiment,
        profile,
        runId: `${method.id}-s${i + 1}`,
        method,
        seed: i + 1,
        ...shared,
        ...(extra === undefined ? {} : { finish: extra }),
      };
    }),
  );
}
