import type { FinishSpec, MethodSpec, ProfileName, RunSpec } from '../shared/spec.js';

/** The paper's learning-rate rule: halve on a training-loss plateau (PyTorch's defaults it used). */
export const PAPER_PLATEAU = { factor: 0.5, patience: 5, threshold: 0.01 } as const;

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
