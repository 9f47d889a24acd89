import { fig4, fig5 } from './denoising.js';
import type { Experiment } from './experiment.js';
import { fig1 } from './fig1.js';
import { fig2 } from './fig2.js';
import { fig3 } from './fig3.js';
import { pareto, paretoConvNet } from './pareto.js';
import { table1 } from './table1.js';
import { table2 } from './table2.js';
import { table3 } from './table3.js';

/** Every experiment `pnpm repro` knows, in report order. */
export const EXPERIMENTS: readonly Experiment[] = [
  fig2,
  fig3,
  table1,
  table2,
  fig1,
  table3,
  fig4,
  fig5,
  pareto,
  paretoConvNet,
];
