import type { Experiment } from './experiment.js';
import { fashionTable } from './fashion-convnet.js';
import { COLUMNS } from './paper-tables.js';

/** Table 1: ℓ1-sparse ConvNets on Fashion-MNIST (paper §4.4). */
export const table1: Experiment = fashionTable('table1', false, {
  title: 'Table 1 — ℓ1 sparsity on Fashion-MNIST (ConvNet)',
  referenceKey: 'table1_fashion_mnist_l1',
  table: 'Table 1: sparsity levels and accuracies on Fashion-MNIST',
  columns: [COLUMNS.nTotal, COLUMNS.testAccuracy, COLUMNS.trainAccuracy],
});
