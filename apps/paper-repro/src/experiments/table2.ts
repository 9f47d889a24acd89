import type { Experiment } from './experiment.js';
import { fashionRuns, fashionSetup, tableMethods } from './fashion-convnet.js';

/** Table 2: group sparsity on the conv kernels, ℓ1 on the dense layers (paper §4.4). */
export const table2: Experiment = {
  id: 'table2',
  title: 'Table 2 — group sparsity on Fashion-MNIST (ConvNet)',
  referenceKey: 'table2_fashion_mnist_group',
  setup: (profile) => fashionSetup(profile, true),
  runs: (profile, seeds) => fashionRuns('table2', profile, tableMethods(profile, true), seeds),
  figures: [],
  tables: [
    {
      title: 'Table 2: group sparsity levels and accuracies on Fashion-MNIST',
      referenceKey: 'table2_fashion_mnist_group',
      columns: [
        { header: 'N_linear [%]', field: 'nLinear', reference: 'linear_density' },
        { header: 'N_conv [%]', field: 'nConv', reference: 'conv_kernel_density' },
        { header: 'test acc. [%]', field: 'testAccuracy', reference: 'test_acc' },
        { header: 'train acc. [%]', field: 'trainAccuracy', reference: 'train_acc' },
      ],
      rows: [
        { strategy: 'Vanilla', optimizer: 'Adam', method: 'adam' },
        { strategy: 'Pruning (7%)', optimizer: 'SGD', method: 'pruning-group' },
        {
          strategy: 'GLasso',
          optimizer: 'SGD + thresh.',
          method: 'lasso-sgd-group',
          thresholded: true,
        },
        { strategy: 'GLasso', optimizer: 'ProxGD', method: 'proxgd-group' },
        { strategy: 'Bregman', optimizer: 'LinBreg', method: 'linbreg-group' },
        { strategy: 'Bregman', optimizer: 'LinBreg (β = 0.9)', method: 'linbreg-m-group' },
        { strategy: 'Bregman', optimizer: 'AdaBreg', method: 'adabreg-group' },
      ],
    },
  ],
  claims: [],
};
