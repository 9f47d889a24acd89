import type * as vl from 'vega-lite';
import { curve } from '../experiments/aggregate.js';
import type { CurvesFigure, ExperimentRuns } from '../experiments/experiment.js';

/** One row of a curves figure's data: a method's mean ± std in one panel at one epoch. */
export interface CurveRow {
  /** The method's label (the colour). */
  method: string;
  /** The panel's title (the facet). */
  panel: string;
  /** The epoch (x). */
  epoch: number;
  /** Mean over seeds (y). */
  mean: number;
  /** Mean − std. */
  lo: number;
  /** Mean + std. */
  hi: number;
}

/** The data of a curves figure: every method × panel × epoch, percentages scaled to 0–100. */
export function curveRows(figure: CurvesFigure, runs: ExperimentRuns): CurveRow[] {
  return runs.methods.flatMap(({ method, runs: records }) =>
    figure.panels.flatMap(({ field, title, percent }) => {
      const scale = percent ? 100 : 1;
      return curve(records, field).map((p) => ({
        method: method.label,
        panel: percent ? `${title} (%)` : title,
        epoch: p.epoch,
        mean: p.mean * scale,
        lo: (p.mean - p.std) * scale,
        hi: (p.mean + p.std) * scale,
      }));
    }),
  );
}

/** The vega-lite spec of a curves figure: one panel per quantity, mean lines with ±std bands. */
export function curvesSpec(figure: CurvesFigure, rows: CurveRow[]): vl.TopLevelSpec {
  const methods = [...new Set(rows.map((r) => r.method))];
  const panels = figure.panels.map((p) => (p.percent ? `${p.title} (%)` : p.title));
  const x = {
    field: 'epoch',
    type: 'quantitative' as const,
    title: 'epoch',
    axis: { tickMinStep: 1, format: 'd' },
  };
  const color = {
    field: 'method',
    type: 'nominal' as const,
    sort: methods,
    scale: { scheme: 'category10' },
    legend: { orient: 'bottom' as const, columns: 3, title: null },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: figure.title,
    data: { values: rows },
    facet: { field: 'panel', type: 'nominal', sort: panels, title: null },
    columns: 2,
    spec: {
      width: 300,
      height: 190,
      layer: [
        {
          mark: { type: 'errorband', opacity: 0.2 },
          encoding: {
            x,
            y: { field: 'lo', type: 'quantitative', title: null, scale: { zero: false } },
            y2: { field: 'hi' },
            color,
          },
        },
        {
          mark: { type: 'line', strokeWidth: 1.5 },
          encoding: {
            x,
            y: { field: 'mean', type: 'quantitative', title: null, scale: { zero: false } },
            color,
          },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
    config: { font: 'sans-serif' },
  };
}
