import type { MethodSpec, RegularizationSpec } from '../shared/spec.js';
import type { PaperTable, TableField } from './experiment.js';

/** The columns of the paper's tables: a field of the kept model and the paper row's key for it. */
export const COLUMNS = {
  nTotal: { header: 'N_total [%]', field: 'nTotal', reference: 'density' },
  nLinear: { header: 'N_linear [%]', field: 'nLinear', reference: 'linear_density' },
  nConv: { header: 'N_conv [%]', field: 'nConv', reference: 'conv_kernel_density' },
  testAccuracy: { header: 'test acc. [%]', field: 'testAccuracy', reference: 'test_acc' },
  trainAccuracy: { header: 'train acc. [%]', field: 'trainAccuracy', reference: 'train_acc' },
} as const satisfies Record<TableField, PaperTable['columns'][number]>;

/** The learning rate and regularizer of one Bregman method in a table. */
export interface BregmanSetting {
  learningRate: number;
  regularization: RegularizationSpec;
}

/**
 * The methods of the "Bregman" rows of Tables 1–3: LinBreg, LinBreg with momentum 0.9 (the
 * same τ and J) and AdaBreg, with ids `linbreg`, `linbreg-m`, `adabreg` followed by `suffix`,
 * and what else they share (their init, a threshold).
 */
export function bregmanMethods(
  suffix: string,
  linbreg: BregmanSetting,
  adabreg: BregmanSetting,
  shared: Pick<MethodSpec, 'init' | 'threshold'>,
): MethodSpec[] {
  return [
    {
      id: `linbreg${suffix}`,
      label: 'LinBreg',
      optimizer: { kind: 'linbreg', learningRate: linbreg.learningRate },
      regularization: linbreg.regularization,
      ...shared,
    },
    {
      id: `linbreg-m${suffix}`,
      label: 'LinBreg β = 0.9',
      optimizer: { kind: 'linbreg', learningRate: linbreg.learningRate, momentum: 0.9 },
      regularization: linbreg.regularization,
      ...shared,
    },
    {
      id: `adabreg${suffix}`,
      label: 'AdaBreg',
      optimizer: { kind: 'adabreg', learningRate: adabreg.learningRate },
      regularization: adabreg.regularization,
      ...shared,
    },
  ];
}

/**
 * The "Bregman" rows of a table, one per method of {@link bregmanMethods} (ids ending in
 * `suffix`); with `thresholded`, each followed by its thresholded model's ("+ thresh.") row.
 */
export function bregmanRows(suffix: string, thresholded = false): PaperTable['rows'] {
  const optimizers = [
    ['LinBreg', 'linbreg'],
    ['LinBreg (β = 0.9)', 'linbreg-m'],
    ['AdaBreg', 'adabreg'],
  ] as const;
  return optimizers.flatMap(([optimizer, id]) => {
    const row = { strategy: 'Bregman', optimizer, method: `${id}${suffix}` };
    return thresholded
      ? [row, { ...row, optimizer: `${optimizer} + thresh.`, thresholded: true }]
      : [row];
  });
}
