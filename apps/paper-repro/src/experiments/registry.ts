import type { Experiment } from './experiment.js';
import { fig2 } from './fig2.js';
import { fig3 } from './fig3.js';

/** Every experiment `pnpm repro` knows, in report order. */
export const EXPERIMENTS: readonly Experiment[] = [fig2, fig3];

/** The experiment with this id, or undefined. */
export function findExperiment(id: string): Experiment | undefined {
  return EXPERIMENTS.find((e) => e.id === id);
}
