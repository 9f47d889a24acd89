import type { Experiment } from './experiment.js';
import { fashionRuns, fashionSetup, tableMethods } from './fashion-convnet.js';

/** Table 1: ℓ1-sparse ConvNets on Fashion-MNIST (paper §4.4). */
export const table1: Experiment = {
  id: 'table1',
  title: 'Table 1 — ℓ1 sparsity on Fashion-MNIST (ConvNet)',
  referenceKey: 'table1_fashion_mnist_l1',
  setup: (profile) => fashionSetup(profile, false),
  runs: (profile, seeds) => fashionRuns('table1', profile, tableMethods(profile, false), seeds),
  figures: [],
  tables: [
    {
      title: 'Table 1: sparsity levels and accuracies on Fashion-MNIST',
      referenceKey: 'table1_fashion_mnist_l1',
      columns: [
        { header: 'N_total [%]', field: 'nTotal', reference: 'density' },
        { header: 'test acc. [%]', field: 'testAccuracy', reference: 'test_acc' },
        { header: 'train acc. [%]', field: 'trainAccuracy', reference: 'train_acc' },
      ],
      rows: [
        { strategy: 'Vanilla', optimizer: 'Adam', method: 'adam' },
        { strategy: 'Pruning (5%)', optimizer: 'SGD', method: 'pruning-l1' },
        {
          strategy: 'Lasso',
          optimizer: 'SGD + thresh.',
          method: 'lasso-sgd-l1',
          thresholded: true,
        },
        { strategy: 'Lasso', optimizer: 'ProxGD', method: 'proxgd-l1' },
        { strategy: 'Bregman', optimizer: 'LinBreg', method: 'linbreg-l1' },
        { strategy: 'Bregman', optimizer: 'LinBreg (β = 0.9)', method: 'linbreg-m-l1' },
        { strategy: 'Bregman', optimizer: 'AdaBreg', method: 'adabreg-l1' },
      ],
    },
  ],
  claims: [],
};
