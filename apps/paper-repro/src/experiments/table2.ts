import type { Experiment } from './experiment.js';
import { fashionTable } from './fashion-convnet.js';
import { COLUMNS } from './paper-tables.js';

/** Table 2: group sparsity on the conv kernels, ℓ1 on the dense layers (paper §4.4). */
export const table2: Experiment = fashionTable('table2', true, {
  title: 'Table 2 — group sparsity on Fashion-MNIST (ConvNet)',
  referenceKey: 'table2_fashion_mnist_group',
  table: 'Table 2: group sparsity levels and accuracies on Fashion-MNIST',
  columns: [COLUMNS.nLinear, COLUMNS.nConv, COLUMNS.testAccuracy, COLUMNS.trainAccuracy],
});
